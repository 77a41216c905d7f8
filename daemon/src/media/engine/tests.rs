//! Engine tests on synthetic chunks: no board, no threads.

use super::*;
use crate::media::dtmf::DtmfGenConfig;
use crate::media::tones::TonePlanName;
use crossbeam_channel::Receiver;

fn engine() -> (MediaEngine, Receiver<MediaEvent>) {
    let (e, rx, _) = engine_with_report_queue(1024);
    (e, rx)
}

/// An engine with span position 0 an E1 (span 1, D-channel 16) whose
/// report channel holds `reports`.
fn engine_with_report_queue(
    reports: usize,
) -> (MediaEngine, Receiver<MediaEvent>, Arc<MediaStats>) {
    let (tx, rx) = crossbeam_channel::bounded(reports);
    let (recorder, _) = crossbeam_channel::bounded(16);
    let links = MediaLinks {
        events: tx,
        recorder,
    };
    let stats = Arc::new(MediaStats::default());
    let mut e = MediaEngine::new(links, stats.clone());
    e.configure_span(
        0,
        Some(SpanMediaSetup {
            number: 1,
            t1: false,
            idle: 0xD5,
            dchannel: Some(16),
            tone_plan: TonePlanName::Etsi,
        }),
    );
    (e, rx, stats)
}

const CH: Chan = Chan { pos: 0, ts: 3 };

/// Run `ms` ticks, looping each channel's transmit into its receive.
fn run_looped(e: &mut MediaEngine, ms: usize) {
    let mut chunk = [0xD5u8; abi::CHUNK_BYTES];
    for _ in 0..ms {
        e.rx_chunk(0, &chunk);
        e.tick();
        e.tx_chunk(0, &mut chunk);
    }
}

#[test]
fn sent_dtmf_is_reported_done_and_detected_when_looped() {
    let (mut e, rx) = engine();
    e.command(MediaCmd::Open(CH));
    e.command(MediaCmd::SendDtmf {
        ch: CH,
        id: 9,
        digits: DigitBuf::parse("19#").unwrap(),
        cfg: DtmfGenConfig::default(),
    });
    run_looped(&mut e, 800);
    let evs: Vec<MediaEvent> = rx.try_iter().collect();
    let digits: String = evs
        .iter()
        .filter_map(|e| match e {
            MediaEvent::Digit { digit, .. } => Some(*digit),
            _ => None,
        })
        .collect();
    assert_eq!(digits, "19#");
    assert!(
        evs.iter().any(|e| matches!(
            e,
            MediaEvent::DtmfSent {
                id: 9,
                stopped: false,
                ..
            }
        )),
        "{evs:?}"
    );
}

#[test]
fn collect_ends_on_terminator_max_digits_and_timeouts() {
    let (mut e, rx) = engine();
    let spec = CollectSpec {
        max_digits: 4,
        terminators: DigitSet::parse("#").unwrap(),
        first_timeout_ms: 2000,
        inter_digit_timeout_ms: 1000,
        keep_buffer: true,
    };
    let send = |e: &mut MediaEngine, d: &str| {
        e.command(MediaCmd::SendDtmf {
            ch: CH,
            id: 1,
            digits: DigitBuf::parse(d).unwrap(),
            cfg: DtmfGenConfig::default(),
        })
    };
    let done = |rx: &Receiver<MediaEvent>| {
        rx.try_iter().find_map(|e| match e {
            MediaEvent::CollectDone {
                id, digits, reason, ..
            } => Some((id, digits.as_str().to_owned(), reason)),
            _ => None,
        })
    };
    // Terminator.
    e.command(MediaCmd::Collect {
        ch: CH,
        id: 1,
        spec,
    });
    send(&mut e, "12#");
    run_looped(&mut e, 700);
    assert_eq!(
        done(&rx),
        Some((1, "12".into(), CollectEnd::Terminator('#')))
    );
    // Max digits.
    e.command(MediaCmd::Collect {
        ch: CH,
        id: 2,
        spec,
    });
    send(&mut e, "98765");
    run_looped(&mut e, 1100);
    assert_eq!(done(&rx), Some((2, "9876".into(), CollectEnd::MaxDigits)));
    // The fifth digit waits in the type-ahead buffer and starts the next one.
    e.command(MediaCmd::Collect {
        ch: CH,
        id: 3,
        spec,
    });
    run_looped(&mut e, 1100);
    assert_eq!(
        done(&rx),
        Some((3, "5".into(), CollectEnd::InterDigitTimeout))
    );
    // No input.
    e.command(MediaCmd::Collect {
        ch: CH,
        id: 4,
        spec,
    });
    run_looped(&mut e, 1999);
    assert_eq!(done(&rx), None);
    run_looped(&mut e, 1);
    assert_eq!(done(&rx), Some((4, "".into(), CollectEnd::NoInput)));
}

#[test]
fn requests_for_the_dchannel_or_a_disabled_span_are_ignored() {
    let (mut e, rx) = engine();
    e.command(MediaCmd::SendDtmf {
        ch: Chan { pos: 0, ts: 16 },
        id: 1,
        digits: DigitBuf::parse("1").unwrap(),
        cfg: DtmfGenConfig::default(),
    });
    e.command(MediaCmd::Open(Chan { pos: 3, ts: 1 }));
    let mut chunk = [0x7Eu8; abi::CHUNK_BYTES];
    e.rx_chunk(0, &chunk);
    e.tick();
    e.tx_chunk(0, &mut chunk);
    assert!(chunk.iter().all(|&b| b == 0x7E), "nothing written");
    assert_eq!(rx.try_iter().count(), 0);
    assert_eq!(e.stats.open_channels.load(Ordering::Relaxed), 0);
}

#[test]
fn reports_wait_in_the_backlog_while_the_report_channel_is_full() {
    let (mut e, rx, stats) = engine_with_report_queue(1);
    for ts in 1..=5u8 {
        e.command(MediaCmd::SendDtmf {
            ch: Chan { pos: 0, ts },
            id: ts as u32,
            digits: DigitBuf::parse("1").unwrap(),
            cfg: DtmfGenConfig::default(),
        });
    }
    // All five sends end in the same tick; the channel holds one report.
    run_looped(&mut e, 300);
    let mut ids = Vec::new();
    for _ in 0..10 {
        while let Ok(ev) = rx.try_recv() {
            if let MediaEvent::DtmfSent { id, .. } = ev {
                ids.push(id);
            }
        }
        run_looped(&mut e, 1);
    }
    assert_eq!(ids, [1, 2, 3, 4, 5], "every report arrives, in order");
    assert_eq!(stats.events_dropped.load(Ordering::Relaxed), 0);
}
