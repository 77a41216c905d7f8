//! API clients: SO_PEERCRED admission (changed by a reload), and what
//! becomes of the calls a client owns when it disconnects.

mod common;

use std::process::Command;
use std::time::Duration;

use common::pri::{self, expect_event};
use common::{bin, serial};
use serde_json::json;

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
    let rig = pri::start(
        "api-peercred",
        1,
        "realtime",
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
        nix::unistd::Pid::from_raw(rig.pid() as i32),
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
fn answered_then_gone(rig: &pri::PriRig) -> (trunk_tools::client::Client, u64) {
    rig.wait_links_up(1);
    let mut watch = rig.subscriber(&["call_*", "client_gone"]);
    let mut a = rig.subscriber(&["call_incoming"]);
    let r = rig.sim(json!({"cmd":"pri_call","span":1,"count":1,"number":"8000","from":"5551234"}));
    assert_eq!(r["ok"], true, "{r}");
    let inc = expect_event(&mut a, 20, "call_incoming", |e| {
        e["event"] == "call_incoming"
    });
    let call = inc["call"].as_u64().unwrap();
    a.request("answer", json!({"call": call})).expect("answer");
    expect_event(&mut watch, 20, "call_answered", |e| {
        e["event"] == "call_answered" && e["call"] == call
    });
    drop(a);
    (watch, call)
}

#[test]
fn disconnect_releases_owned_calls() {
    let _g = serial();
    let rig = pri::start(
        "api-gone-release",
        1,
        "realtime",
        "inbound = \"api\"\napi_timeout_ms = 60000",
        "",
    );
    let (mut watch, call) = answered_then_gone(&rig);
    let gone = expect_event(&mut watch, 20, "client_gone", |e| {
        e["event"] == "client_gone"
    });
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
    let rig = pri::start(
        "api-gone-keep",
        1,
        "realtime",
        "inbound = \"api\"\napi_timeout_ms = 60000",
        "[api]\non_client_disconnect = \"keep\"\n",
    );
    let (mut watch, call) = answered_then_gone(&rig);
    let gone = expect_event(&mut watch, 20, "client_gone", |e| {
        e["event"] == "client_gone"
    });
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

#[test]
fn bad_api_config_is_refused_with_the_key() {
    let dir = common::tempdir("api-badcfg");
    let cfg = dir.join("trunkd.toml");
    std::fs::write(&cfg, "[[board]]\nname = \"b0\"\ndevice = \"sim:/nonexistent\"\n[api]\non_client_disconnect = \"explode\"\n").unwrap();
    let out = Command::new(bin("trunkd"))
        .arg("--check")
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("api.on_client_disconnect") && err.contains("explode"),
        "{err}"
    );
    std::fs::write(&cfg, "[[board]]\nname = \"b0\"\ndevice = \"sim:/nonexistent\"\n[[span]]\nspan = 1\nboard = \"b0\"\nboard_span = 1\nline = \"e1\"\ntrunk_group = \"t\"\n[[trunk_group]]\nname = \"t\"\ninbound = \"flow\"\n").unwrap();
    let out = Command::new(bin("trunkd"))
        .arg("--check")
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("[ivr] flows"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
