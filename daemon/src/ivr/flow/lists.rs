//! Caller lists, templates and comparisons: the small evaluations the
//! runtime does on a call's variables.

use std::cmp::Ordering;

use super::model::{CompareOp, NumberList};

impl NumberList {
    /// Whether `number` is on the list: an entry equal to it, or an entry
    /// ending in '*' whose part before the '*' starts it.
    pub fn matches(&self, number: &str) -> bool {
        self.entries.iter().any(|e| match e.strip_suffix('*') {
            Some(prefix) => number.starts_with(prefix),
            None => e == number,
        })
    }
}

/// Checks a list entry: digits (and `+ # A-D`), optionally ending in '*'.
pub fn check_list_entry(entry: &str) -> Result<(), String> {
    let body = entry.strip_suffix('*').unwrap_or(entry);
    if entry.is_empty() {
        return Err("an empty number".into());
    }
    let ok = body
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || matches!(c, '#' | 'A'..='D') || (c == '+' && i == 0));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{entry}` is not a number (digits, a leading '+', or a prefix ending in '*')"
        ))
    }
}

/// Expands `${name}` references in `template` with `vars`; an unknown
/// variable expands to "". Text that is not a valid reference (a lone `$`,
/// an unterminated `${`) is kept as it is.
pub fn expand(template: &str, vars: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(pos) = rest.find("${") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        match after.find('}') {
            Some(end) if valid_var_name(&after[..end]) => {
                out.push_str(&vars(&after[..end]).unwrap_or_default());
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks template syntax: every `${` opens a reference `${name}` with
/// `name` made of `[A-Za-z0-9_]`.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(pos) = rest.find("${") {
        let after = &rest[pos + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!("unterminated `${{` in `{template}`"));
        };
        let name = &after[..end];
        if !valid_var_name(name) {
            return Err(format!(
                "`${{{name}}}` in `{template}` is not a variable (letters, digits, '_')"
            ));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// Variables a template refers to.
pub fn template_vars(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(pos) = rest.find("${") {
        let after = &rest[pos + 2..];
        match after.find('}') {
            Some(end) if valid_var_name(&after[..end]) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// Whether `name` is a variable name: `[A-Za-z0-9_]+`.
pub fn valid_var_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl CompareOp {
    /// Every operator with its name in flows files.
    pub const ALL: [(CompareOp, &'static str); 10] = [
        (CompareOp::Eq, "eq"),
        (CompareOp::Ne, "ne"),
        (CompareOp::Lt, "lt"),
        (CompareOp::Le, "le"),
        (CompareOp::Gt, "gt"),
        (CompareOp::Ge, "ge"),
        (CompareOp::Prefix, "prefix"),
        (CompareOp::In, "in"),
        (CompareOp::Empty, "empty"),
        (CompareOp::NotEmpty, "not_empty"),
    ];

    /// Parses an operator: its name ("eq", "not_empty", ...) or a symbol
    /// ("==", "!=", "<", "<=", ">", ">=").
    pub fn parse(text: &str) -> Option<CompareOp> {
        let op = match text {
            "==" => CompareOp::Eq,
            "!=" => CompareOp::Ne,
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            _ => Self::ALL.iter().find(|(_, n)| *n == text)?.0,
        };
        Some(op)
    }

    /// The operator's name in flows files.
    #[cfg(test)]
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(op, _)| *op == self)
            .map_or("eq", |(_, n)| n)
    }

    /// Evaluates `left OP right`. Lt/Le/Gt/Ge compare as integers when both
    /// sides parse as i64, else as strings; `In` looks for `left` in the
    /// comma-separated `right` (items trimmed); Empty/NotEmpty ignore `right`.
    pub fn eval(&self, left: &str, right: &str) -> bool {
        let order = || match (left.trim().parse::<i64>(), right.trim().parse::<i64>()) {
            (Ok(a), Ok(b)) => a.cmp(&b),
            _ => left.cmp(right),
        };
        match self {
            CompareOp::Eq => left == right,
            CompareOp::Ne => left != right,
            CompareOp::Lt => order() == Ordering::Less,
            CompareOp::Le => order() != Ordering::Greater,
            CompareOp::Gt => order() == Ordering::Greater,
            CompareOp::Ge => order() != Ordering::Less,
            CompareOp::Prefix => left.starts_with(right),
            CompareOp::In => right.split(',').any(|item| item.trim() == left.trim()),
            CompareOp::Empty => left.is_empty(),
            CompareOp::NotEmpty => !left.is_empty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "ani" => Some("13800138000".into()),
            "digits" => Some("42".into()),
            "empty" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expand_replaces_known_and_blanks_unknown() {
        assert_eq!(
            expand("caller ${ani} said ${digits}", &vars),
            "caller 13800138000 said 42"
        );
        assert_eq!(expand("[${nosuch}]", &vars), "[]");
        assert_eq!(expand("${ani}${digits}", &vars), "1380013800042");
        assert_eq!(expand("plain", &vars), "plain");
    }

    #[test]
    fn expand_keeps_text_that_is_not_a_reference() {
        assert_eq!(expand("cost $5", &vars), "cost $5");
        assert_eq!(expand("open ${ani", &vars), "open ${ani");
        assert_eq!(expand("${a-b} ${digits}", &vars), "${a-b} 42");
        assert_eq!(expand("${}", &vars), "${}");
    }

    #[test]
    fn template_syntax_is_checked() {
        assert!(check_template("${ani} and ${digits_2}").is_ok());
        assert!(check_template("no references, $ alone").is_ok());
        let e = check_template("x ${ani").unwrap_err();
        assert!(e.contains("unterminated"), "{e}");
        assert!(check_template("${a b}").is_err());
        assert!(check_template("${}").is_err());
        assert_eq!(template_vars("${a}-${b_1} ${"), vec!["a", "b_1"]);
    }

    #[test]
    fn lists_match_exact_numbers_and_prefixes() {
        let l = NumberList {
            entries: vec!["1390000666".into(), "0900*".into()],
        };
        assert!(l.matches("1390000666"));
        assert!(!l.matches("13900006660"), "exact entries are not prefixes");
        assert!(!l.matches("139000066"));
        assert!(l.matches("0900123456"));
        assert!(l.matches("0900"));
        assert!(!l.matches("090"));
        assert!(!l.matches(""));
        let all = NumberList {
            entries: vec!["*".into()],
        };
        assert!(all.matches("") && all.matches("123"));
        assert!(!NumberList::default().matches("123"));
    }

    #[test]
    fn list_entries_are_checked() {
        assert!(check_list_entry("+8613800138000").is_ok());
        assert!(check_list_entry("0900*").is_ok());
        assert!(check_list_entry("*").is_ok());
        assert!(check_list_entry("").is_err());
        assert!(check_list_entry("09*00").is_err());
        assert!(check_list_entry("12+3").is_err());
        assert!(check_list_entry("abc").is_err());
    }

    #[test]
    fn compare_ops_follow_their_rules() {
        use CompareOp::*;
        assert!(Eq.eval("a", "a") && !Eq.eval("a", "b"));
        assert!(Ne.eval("a", "b") && !Ne.eval("a", "a"));
        // Numeric when both sides are integers: 9 < 10.
        assert!(Lt.eval("9", "10"));
        assert!(!Gt.eval("9", "10"));
        assert!(Lt.eval("-5", "3"));
        // Strings otherwise: "9" > "10x".
        assert!(Gt.eval("9", "10x"));
        assert!(Le.eval("7", "7") && Ge.eval("7", "7"));
        assert!(!Le.eval("8", "7") && !Ge.eval("6", "7"));
        assert!(Prefix.eval("0900123", "0900") && !Prefix.eval("090", "0900"));
        assert!(In.eval("2", "1, 2 ,3") && !In.eval("4", "1,2,3"));
        assert!(!In.eval("", "1,2"));
        assert!(Empty.eval("", "ignored") && !Empty.eval("x", ""));
        assert!(NotEmpty.eval("x", "") && !NotEmpty.eval("", "x"));
    }

    #[test]
    fn compare_ops_parse_names_and_symbols() {
        for (op, name) in CompareOp::ALL {
            assert_eq!(CompareOp::parse(name), Some(op));
            assert_eq!(op.name(), name);
        }
        assert_eq!(CompareOp::parse(">="), Some(CompareOp::Ge));
        assert_eq!(CompareOp::parse("!="), Some(CompareOp::Ne));
        assert_eq!(CompareOp::parse("equals"), None);
    }
}
