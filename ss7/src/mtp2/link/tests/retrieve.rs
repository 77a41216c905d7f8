//! Changeover retrieval after the far end's last accepted FSN.

use super::*;

/// A link whose MSUs 0..=124 were acknowledged (FSNs 0..=124), MSUs
/// 125..=130 were sent with FSNs 125, 126, 127, 0, 1, 2 (wrapping) and never
/// acknowledged (B's acknowledgements are lost), MSUs 131 and 132 never sent;
/// then A is stopped.
fn failed_link_across_the_wrap() -> Pair {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    for k in 0..125 {
        p.a.send_msu(p.now, 0x83, &payload(k)).unwrap();
    }
    assert!(p.run_until(2_000, |p| p.a.outstanding() == 0 && p.a.queued() == 0));
    p.cut_b_to_a = true;
    for k in 125..131 {
        p.a.send_msu(p.now, 0x83, &payload(k)).unwrap();
    }
    assert!(p.run_until(100, |p| p.a.queued() == 0));
    assert_eq!(p.a.outstanding(), 6);
    assert_eq!(p.b.last_accepted_fsn(), 2, "B accepted across the wrap");
    for k in 131..133 {
        p.a.send_msu(p.now, 0x83, &payload(k)).unwrap();
    }
    p.a.stop(p.now);
    p
}

fn retrieved_after(fsnc: Option<u8>) -> Vec<Vec<u8>> {
    let mut p = failed_link_across_the_wrap();
    let mut got = Vec::new();
    p.a.retrieve_msus_after(fsnc, |sio, sif| {
        assert_eq!(sio, 0x83);
        got.push(sif.to_vec());
    });
    assert_eq!((p.a.outstanding(), p.a.queued()), (0, 0), "buffers emptied");
    got
}

fn payloads(ks: std::ops::Range<u32>) -> Vec<Vec<u8>> {
    ks.map(payload).collect()
}

#[test]
fn retrieval_after_fsn_before_the_wrap_returns_the_rest_in_order() {
    // FSN 126 accepted: FSNs 127, 0, 1, 2 and the two unsent remain.
    assert_eq!(retrieved_after(Some(126)), payloads(127..133));
}

#[test]
fn retrieval_after_fsn_past_the_wrap_returns_only_unaccepted() {
    // FSN 0 (MSU 128) accepted: FSNs 1, 2 and the unsent remain.
    assert_eq!(retrieved_after(Some(0)), payloads(129..133));
    // The far end accepted everything sent (its BSNT, 2).
    assert_eq!(retrieved_after(Some(2)), payloads(131..133));
}

#[test]
fn retrieval_after_the_last_acknowledged_fsn_returns_every_unacknowledged() {
    assert_eq!(retrieved_after(Some(124)), payloads(125..133));
}

#[test]
fn retrieval_without_fsn_returns_only_the_untransmitted() {
    assert_eq!(retrieved_after(None), payloads(131..133));
}

#[test]
fn retrieval_after_an_fsn_outside_the_window_returns_every_unacknowledged() {
    assert_eq!(retrieved_after(Some(50)), payloads(125..133));
    assert_eq!(retrieved_after(Some(200)), payloads(125..133));
}

#[test]
fn retrieval_in_service_returns_nothing() {
    let mut p = Pair::new(Mtp2Config::default());
    p.align();
    p.a.send_msu(p.now, 0x83, &payload(1)).unwrap();
    let mut n = 0;
    p.a.retrieve_msus_after(None, |_, _| n += 1);
    assert_eq!((n, p.a.queued()), (0, 1));
}
