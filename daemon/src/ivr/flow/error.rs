//! Errors found while loading a flows file: all of them, each naming the
//! file, the line when known, the flow and the node.

use std::fmt;
use std::path::PathBuf;

/// One problem in a flows file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowError {
    /// The flows file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known (TOML syntax errors).
    pub column: Option<usize>,
    /// The flow, when the problem is inside one.
    pub flow: Option<String>,
    /// The node, when the problem is inside one.
    pub node: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        f.write_str(": ")?;
        match (&self.flow, &self.node) {
            (Some(flow), Some(node)) => write!(f, "flow `{flow}`, node `{node}`: ")?,
            (Some(flow), None) => write!(f, "flow `{flow}`: ")?,
            (None, Some(node)) => write!(f, "node `{node}`: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for FlowError {}

/// Every problem found in a flows file (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlowErrors(pub Vec<FlowError>);

impl fmt::Display for FlowErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FlowErrors {}

impl IntoIterator for FlowErrors {
    type Item = FlowError;
    type IntoIter = std::vec::IntoIter<FlowError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
