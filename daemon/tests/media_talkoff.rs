//! Talk-off: the DTMF receivers (scalar [`DtmfDetector`] and multi-channel
//! [`DtmfBank`]) must not report digits on speech (ITU-T Q.24 asks for
//! protection against signal imitation, "talk-off": a receiver must not be
//! operated by speech or other signals on the line).
//!
//! Several minutes of speech are synthesised with espeak-ng (several
//! languages and voice variants, long texts full of numbers, which is what
//! IVR callers say), resampled to 8 kHz 16-bit with sox and normalised to
//! -10 dBFS peak, a typical loud speech level on a trunk. As a control, one
//! channel carries a speech clip followed by a pause and real digits, which
//! must be found, so the test fails if the receivers are simply deaf.
//!
//! espeak-ng and sox are required: the test fails (never skips) when either
//! is missing.

mod common;

use std::path::{Path, PathBuf};

use common::tools::run;

use trunkd::media::dtmf::bank::FRAME;
use trunkd::media::dtmf::{
    DtmfBank, DtmfConfig, DtmfDetector, DtmfEvent, DtmfGenConfig, DtmfGenerator,
};

const RATE: usize = 8000;

const EN: &str = "Thank you for calling. Your call is important to us. \
    Please enter your account number followed by the hash key. \
    Your balance is one thousand two hundred and thirty four dollars and fifty six cents. \
    Your last payment of 89 dollars was received on the 17th of March 2024. \
    To hear these options again, press nine. Flight 7 3 1 to Chicago departs from gate 12 at 4 45 pm. \
    Call me back on 0 2 0 7 9 4 6 0 0 0 1 or on my mobile, 07700 900 461. \
    The quick brown fox jumps over the lazy dog while six sick sheiks sort socks. \
    We measured 3.14159, 2.71828, and 1.41421, then counted down: ten, nine, eight, seven, six, five, four, three, two, one. \
    Oh, really? Wow! Hmm. Yes, yes, yes... no. Mississippi, Massachusetts, Connecticut. \
    My PIN is 4 4 8 1, no wait, it is 9 9 0 2. Extension 2 2 5 please, or the operator at zero.";

const DE: &str =
    "Vielen Dank für Ihren Anruf. Bitte geben Sie Ihre Kundennummer ein, gefolgt von der Raute. \
    Ihr Kontostand beträgt eintausendzweihundertvierunddreißig Euro und sechsundfünfzig Cent. \
    Rufen Sie uns unter 0 3 0 2 2 7 7 5 4 3 2 an, montags bis freitags von 8 bis 18 Uhr. \
    Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich. \
    Eins, zwei, drei, vier, fünf, sechs, sieben, acht, neun, zehn, elf, zwölf, dreizehn. \
    Der Zug nach München fährt um 14 Uhr 37 von Gleis 9 ab. Ach so! Ja, genau. Nein, danke.";

const FR: &str = "Merci de votre appel. Veuillez composer votre numéro de client suivi de la touche dièse. \
    Le solde de votre compte est de mille deux cent trente quatre euros et cinquante six centimes. \
    Appelez le 01 42 68 53 00 du lundi au vendredi de 9 heures à 17 heures 30. \
    Portez ce vieux whisky au juge blond qui fume. Un, deux, trois, quatre, cinq, six, sept, huit, neuf, dix. \
    Le train pour Lyon partira à 15 heures 42, voie 11. Ah bon ? Oui, d'accord. Soixante dix sept, quatre vingt dix neuf.";

const ES: &str =
    "Gracias por llamar. Marque su número de cliente seguido de la tecla almohadilla. \
    Su saldo es de mil doscientos treinta y cuatro euros. Llame al 91 555 12 34. \
    Uno, dos, tres, cuatro, cinco, seis, siete, ocho, nueve, diez, once, doce. \
    El veloz murciélago hindú comía feliz cardillo y kiwi. ¿De verdad? ¡Claro que sí!";

const CMN: &str = "感谢您的来电。请输入您的账号，并以井号键结束。\
    您的余额是一千二百三十四元五角六分。请拨打 010 6552 9988。\
    一，二，三，四，五，六，七，八，九，十。航班 CA 981 将于 下午 3 点 45 分 起飞。\
    您好，欢迎致电客户服务中心，查询话费请按一，办理业务请按二，人工服务请按零。";

/// (voice, text, words per minute, pitch 0-99)
const CLIPS: &[(&str, &str, u32, u32)] = &[
    ("en-us", EN, 175, 50),
    ("en-us+f3", EN, 160, 60),
    ("en-gb", EN, 190, 40),
    ("en-gb+m3", EN, 150, 30),
    ("en-us+f4", EN, 210, 75),
    ("de", DE, 170, 50),
    ("de+f2", DE, 150, 65),
    ("fr-fr", FR, 175, 50),
    ("fr-fr+f4", FR, 160, 70),
    ("es", ES, 170, 45),
    ("cmn", CMN, 160, 50),
    ("cmn+f3", CMN, 150, 70),
];

/// One clip: espeak-ng at 22.05 kHz, then sox to 8 kHz s16 at -10 dBFS peak.
fn speech(dir: &Path, i: usize, voice: &str, text: &str, wpm: u32, pitch: u32) -> Vec<i16> {
    let wav = dir.join(format!("talkoff-{i}.wav"));
    let raw = dir.join(format!("talkoff-{i}.raw"));
    let (wav_s, raw_s) = (wav.to_str().unwrap(), raw.to_str().unwrap());
    let (wpm, pitch) = (wpm.to_string(), pitch.to_string());
    run(
        "espeak-ng",
        &["-v", voice, "-s", &wpm, "-p", &pitch, "-w", wav_s, text],
        "espeak-ng is required for this test: apt-get install espeak-ng",
    );
    run(
        "sox",
        &[
            wav_s, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed", "-t", "raw", raw_s, "gain",
            "-n", "-10",
        ],
        "sox is required for this test: apt-get install sox",
    );
    let bytes = std::fs::read(&raw).unwrap();
    let _ = std::fs::remove_file(&wav);
    let _ = std::fs::remove_file(&raw);
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn scalar_events(samples: &[i16]) -> Vec<DtmfEvent> {
    let mut det = DtmfDetector::new(DtmfConfig::default());
    let mut ev = Vec::new();
    for c in samples.chunks(FRAME) {
        det.process(c, |e| ev.push(e));
    }
    ev
}

fn digits(events: &[DtmfEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            DtmfEvent::DigitStart { digit, .. } => Some(*digit),
            _ => None,
        })
        .collect()
}

#[test]
fn speech_does_not_imitate_digits() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mut channels: Vec<Vec<i16>> = CLIPS
        .iter()
        .enumerate()
        .map(|(i, &(voice, text, wpm, pitch))| speech(&dir, i, voice, text, wpm, pitch))
        .collect();
    let speech_samples: usize = channels.iter().map(Vec::len).sum();
    let seconds = speech_samples as f64 / RATE as f64;
    println!(
        "talk-off: {seconds:.1} s of speech in {} clips",
        channels.len()
    );
    for (ch, s) in channels.iter().enumerate() {
        assert!(
            s.len() > 10 * RATE,
            "clip {ch} ({}) is only {} samples",
            CLIPS[ch].0,
            s.len()
        );
    }
    assert!(seconds >= 180.0, "only {seconds:.1} s of speech");

    // Control channel: clip 0, a 300 ms pause, then real digits.
    const CONTROL: &str = "2580#*1D";
    let mut control = channels[0].clone();
    control.extend(std::iter::repeat_n(0i16, RATE * 3 / 10));
    let mut g = DtmfGenerator::new(DtmfGenConfig::default());
    g.push_digits(CONTROL).unwrap();
    let mut tones = vec![0i16; g.remaining_samples()];
    g.generate(&mut tones);
    control.extend_from_slice(&tones);
    channels.push(control);
    let control_ch = channels.len() - 1;

    // Scalar detectors.
    let scalar: Vec<Vec<DtmfEvent>> = channels.iter().map(|s| scalar_events(s)).collect();

    // One bank carrying every clip on its own channel, silence after it ends.
    let ticks = channels.iter().map(Vec::len).max().unwrap().div_ceil(FRAME) + 50;
    let mut bank = DtmfBank::new(channels.len(), DtmfConfig::default());
    let mut banked = vec![Vec::new(); channels.len()];
    let mut frames = vec![[0i16; FRAME]; channels.len()];
    for t in 0..ticks {
        for (f, s) in frames.iter_mut().zip(&channels) {
            for (n, x) in f.iter_mut().enumerate() {
                *x = s.get(t * FRAME + n).copied().unwrap_or(0);
            }
        }
        bank.process(&frames, |ch, e| banked[ch].push(e));
    }

    for ch in 0..control_ch {
        let voice = CLIPS[ch].0;
        assert_eq!(digits(&scalar[ch]), "", "scalar talk-off on {voice}");
        assert_eq!(digits(&banked[ch]), "", "bank talk-off on {voice}");
    }
    assert_eq!(digits(&scalar[control_ch]), CONTROL, "scalar control");
    assert_eq!(digits(&banked[control_ch]), CONTROL, "bank control");
    // The digits start after the speech, not inside it.
    let speech_end = channels[0].len() as u64;
    for e in &banked[control_ch] {
        if let DtmfEvent::DigitStart { at_sample, .. } = e {
            assert!(*at_sample + 102 >= speech_end, "digit inside speech: {e:?}");
        }
    }
}
