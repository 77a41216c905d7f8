//! API clients: SO_PEERCRED admission (changed by a reload), and what
//! becomes of the calls a client owns when it disconnects.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{bin, expect_event, serial, trunk_group, Harness, Opts};
use serde_json::{json, Value};
use trunk_tools::client::Client;

/// One E1 PRI span in trunk group `pstn` (`tg_keys` in its table), with
/// `config_extra` appended to trunkd's configuration.
fn start(tag: &str, tg_keys: &str, config_extra: &str) -> Harness {
    let config = format!("{}{config_extra}", trunk_group("pstn", tg_keys));
    Harness::start_opts(
        tag,
        &Opts {
            time: "realtime",
            trunk_groups: &["pstn"],
            config_extra: &config,
            ..Opts::pri()
        },
    )
}

/// Run trunkctl as user/group 65534 (nobody) with no supplementary groups.
fn ctl_as_nobody(socket: &std::path::Path) -> std::process::Output {
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin("trunkctl"))
        .arg("--socket")
        .arg(socket)
        .arg("status")
        .output()
        .expect("setpriv (util-linux) is required");
    out
}

#[test]
fn peer_credentials_admit_and_refuse() {
    let _g = serial();
    let rig = start(
        "api-peercred",
        "",
        "[api]\nsocket_mode = \"0666\"\nallow_groups = []\n",
    );
    // Let "nobody" reach the socket file (the test's scratch directory is root's).
    let mut p = std::fs::metadata(&rig.dir).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o755);
    std::fs::set_permissions(&rig.dir, p).unwrap();

    // root (this test) is always admitted.
    rig.client()
        .request("status", json!(null))
        .expect("root is admitted");

    let out = ctl_as_nobody(&rig.socket);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "nobody was admitted: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        err.contains("not admitted") || err.contains("permission_denied"),
        "stderr: {err}"
    );
    assert!(
        rig.log().contains("is not admitted"),
        "the refusal is logged"
    );

    // Admit uid 65534 by a reload; the next connection is served.
    let text = std::fs::read_to_string(&rig.config).unwrap();
    std::fs::write(
        &rig.config,
        text.replace(
            "allow_groups = []",
            "allow_groups = []\nallow_users = [65534]",
        ),
    )
    .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(rig.daemon_pid()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    let t0 = std::time::Instant::now();
    loop {
        let out = ctl_as_nobody(&rig.socket);
        if out.status.success() {
            assert!(String::from_utf8_lossy(&out.stdout).contains("trunkd"));
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "still refused after the reload: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The far end calls in; client A answers it (so owns it) and vanishes.
/// Returns the rig, a client watching `call_*`, the call and the
/// `client_gone` event about it.
fn answered_then_gone(tag: &str, config_extra: &str) -> (Harness, Client, u64, Value) {
    let rig = start(
        tag,
        "inbound = \"api\"\napi_timeout_ms = 60000",
        config_extra,
    );
    rig.wait_links_up(1);
    let mut watch = rig.subscriber(&["call_*", "client_gone"]);
    let mut a = rig.subscriber(&["call_incoming"]);
    rig.sim_ok(json!({"cmd":"pri_call","span":1,"count":1,"number":"8000","from":"5551234"}));
    let inc = expect_event(&mut a, 20, "call_incoming", |e| {
        e["event"] == "call_incoming"
    });
    let call = inc["call"].as_u64().unwrap();
    a.request("answer", json!({"call": call})).expect("answer");
    expect_event(&mut watch, 20, "call_answered", |e| {
        e["event"] == "call_answered" && e["call"] == call
    });
    drop(a);
    let gone = expect_event(&mut watch, 20, "client_gone", |e| {
        e["event"] == "client_gone"
    });
    (rig, watch, call, gone)
}

#[test]
fn disconnect_releases_owned_calls() {
    let _g = serial();
    let (_rig, mut watch, call, gone) = answered_then_gone("api-gone-release", "");
    assert_eq!(gone["call"], call);
    assert!(
        gone["action"].as_str().unwrap().starts_with("released"),
        "{gone}"
    );
    let end = expect_event(&mut watch, 20, "call_cleared", |e| {
        e["event"] == "call_cleared" && e["call"] == call
    });
    assert_eq!(end["cause"], 16, "{end}");
    assert_eq!(end["cleared_by"], "local", "{end}");
}

#[test]
fn disconnect_keep_leaves_the_call_up() {
    let _g = serial();
    let (rig, mut watch, call, gone) =
        answered_then_gone("api-gone-keep", "[api]\non_client_disconnect = \"keep\"\n");
    assert_eq!(gone["action"], "kept", "{gone}");
    let calls = rig.client().request("calls", json!(null)).unwrap();
    let up = calls["calls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["call"] == call && c["state"] == "answered");
    assert!(up, "the kept call is still up: {calls}");
    // Another client can take it over and clear it.
    rig.client()
        .request("hangup", json!({"call": call}))
        .expect("hangup by another client");
    expect_event(&mut watch, 20, "call_cleared", |e| {
        e["event"] == "call_cleared" && e["call"] == call
    });
}

/// `trunkd --check` of the configuration `text`: it must be refused; the
/// error it gives.
fn check_refused(cfg: &std::path::Path, text: &str) -> String {
    std::fs::write(cfg, text).unwrap();
    let out = Command::new(bin("trunkd"))
        .arg("--check")
        .arg("--config")
        .arg(cfg)
        .output()
        .unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_api_config_is_refused_with_the_key() {
    let dir = common::tempdir("api-badcfg");
    let cfg = dir.join("trunkd.toml");
    let err = check_refused(&cfg, "[[board]]\nname = \"b0\"\ndevice = \"sim:/nonexistent\"\n[api]\non_client_disconnect = \"explode\"\n");
    assert!(
        err.contains("api.on_client_disconnect") && err.contains("explode"),
        "{err}"
    );
    let err = check_refused(&cfg, "[[board]]\nname = \"b0\"\ndevice = \"sim:/nonexistent\"\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\ntrunk_group = \"t\"\n[[trunk_group]]\nname = \"t\"\ninbound = \"flow\"\n");
    assert!(err.contains("[ivr] flows"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
