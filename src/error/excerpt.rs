//! Bounded quoting of user-supplied text in error messages. A message names the offending value,
//! but a value can be a megabyte (a CSV cell, a TOML key, a list of cut points): every `Display`
//! of [`Error`](super::Error) and [`ConfigProblem`](super::ConfigProblem) that prints such text
//! goes through [`Excerpt`] or [`ExcerptList`], so no message grows with its input.

use std::fmt;

/// Characters of a value a message quotes; longer values are cut and their length stated.
pub const EXCERPT_CHARS: usize = 80;
/// Items of a list a message shows; longer lists end with how many items there are.
pub const EXCERPT_ITEMS: usize = 10;

/// `text` as is when it has at most [`EXCERPT_CHARS`] characters, else its first characters
/// followed by `... (N characters)`. Control characters (a NUL, a newline inside a value)
/// are escaped, so a quoted value stays on its line.
pub struct Excerpt<'a>(pub &'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = 0;
        for c in self.0.chars() {
            if shown == EXCERPT_CHARS {
                let n = self.0.chars().count();
                return write!(f, "... ({n} characters)");
            }
            if c.is_control() && c != '\t' {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
            shown += 1;
        }
        Ok(())
    }
}

/// A list joined by `sep` with each item an [`Excerpt`] (quoted when `quote`), at most
/// [`EXCERPT_ITEMS`] items, then `... (N in all)`.
pub struct ExcerptList<'a, T> {
    pub items: &'a [T],
    pub sep: &'a str,
    pub quote: bool,
}

impl<T: fmt::Display> fmt::Display for ExcerptList<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.items.iter().take(EXCERPT_ITEMS).enumerate() {
            if i > 0 {
                f.write_str(self.sep)?;
            }
            let text = item.to_string();
            if self.quote {
                write!(f, "\"{}\"", Excerpt(&text))?;
            } else {
                write!(f, "{}", Excerpt(&text))?;
            }
        }
        if self.items.len() > EXCERPT_ITEMS {
            write!(f, "{}... ({} in all)", self.sep, self.items.len())?;
        }
        Ok(())
    }
}

/// Shorthand for [`ExcerptList`] in `#[error(...)]` arguments.
pub fn list<'a, T>(items: &'a [T], sep: &'a str, quote: bool) -> ExcerptList<'a, T> {
    ExcerptList { items, sep, quote }
}

/// Shorthand for [`Excerpt`] in `#[error(...)]` arguments.
pub fn ex(text: &str) -> Excerpt<'_> {
    Excerpt(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole_and_long_ones_cut_with_their_length() {
        assert_eq!(ex("page_views").to_string(), "page_views");
        let long = "9".repeat(1_000_000);
        let s = ex(&long).to_string();
        assert_eq!(s, format!("{}... (1000000 characters)", "9".repeat(80)));
        // Exactly the limit is not cut.
        assert_eq!(ex(&"x".repeat(80)).to_string(), "x".repeat(80));
        // Characters, not bytes: a multi-byte value is never split inside a character.
        let s = ex(&"é".repeat(100)).to_string();
        assert!(s.starts_with(&"é".repeat(80)) && s.ends_with("(100 characters)"));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(ex("a\0b\nc").to_string(), "a\\u{0}b\\nc");
    }

    #[test]
    fn long_lists_show_their_first_items_and_their_count() {
        let cuts: Vec<f64> = (1..=5000).map(|i| f64::from(i) / 5001.0).collect();
        let s = ExcerptList {
            items: &cuts,
            sep: ",",
            quote: false,
        }
        .to_string();
        assert!(s.ends_with(",... (5000 in all)"), "{s}");
        assert!(s.len() < 300, "{}", s.len());
        let names = vec!["a".to_string(), "b".to_string()];
        let s = ExcerptList {
            items: &names,
            sep: ", ",
            quote: true,
        }
        .to_string();
        assert_eq!(s, "\"a\", \"b\"");
    }
}
