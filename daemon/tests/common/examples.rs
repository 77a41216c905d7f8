//! The Python examples (examples/*.py) as the tests run them.

use std::path::Path;
use std::process::Command;

use super::line::tool;

/// How both example tests route calls with `examples/ivr.py`: callers on
/// trunk group `pstn`, transfers to 4000 on trunk group `agents`.
pub const IVR_ROUTES: [&str; 6] = [
    "--trunk-group",
    "pstn",
    "--transfer-tg",
    "agents",
    "--transfer-to",
    "4000",
];

/// `python3 examples/<script> --socket <socket> <args>`, not yet started;
/// python3 is required (the test fails without it).
pub fn example(script: &str, socket: &Path, args: &[&str]) -> Command {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(script);
    let mut cmd = tool("python3");
    cmd.env("PYTHONDONTWRITEBYTECODE", "1")
        .arg(path)
        .arg("--socket")
        .arg(socket)
        .args(args);
    cmd
}

/// [`IVR_ROUTES`] followed by `more`.
pub fn ivr_args<'a>(more: &[&'a str]) -> Vec<&'a str> {
    IVR_ROUTES
        .iter()
        .copied()
        .chain(more.iter().copied())
        .collect()
}
