//! Prompt loading, caching and playing.
//!
//! sox is required: the tests that use it fail (they never skip) when it is
//! missing.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use trunkd::media::g711;
use trunkd::media::prompt::{
    self, load, resolve, PlayItem, PlayState, Player, Playlist, PlaylistError, Prompt, PromptCache,
    PromptError, PromptFormat, MAX_PLAYLIST,
};

/// A scratch directory unique to this test process and test.
fn scratch(name: &str) -> PathBuf {
    common::tempdir(&format!("prompt-{name}"))
}

/// Runs sox with `args` in `dir`; panics (test failure) if sox is missing or fails.
fn sox(dir: &Path, args: &[&str]) {
    common::tools::run_in(
        Some(dir),
        "sox",
        args,
        "sox is required to make prompt files: apt-get install sox",
    );
}

/// A deterministic pseudo-random generator (xorshift64*), for test data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn write_pcm16(path: &Path, samples: &[i16]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = id.to_vec();
    c.extend_from_slice(&(body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    if body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

/// A G.711 WAV written by hand (hound cannot write format tags 6/7), with a
/// `fact` chunk and an odd-sized `LIST` chunk (and its pad byte) before
/// the data, as real tools write them.
fn g711_wav(tag: u16, rate: u32, channels: u16, data: &[u8]) -> Vec<u8> {
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&tag.to_le_bytes());
    fmt.extend_from_slice(&channels.to_le_bytes());
    fmt.extend_from_slice(&rate.to_le_bytes());
    fmt.extend_from_slice(&(rate * u32::from(channels)).to_le_bytes());
    fmt.extend_from_slice(&channels.to_le_bytes());
    fmt.extend_from_slice(&8u16.to_le_bytes());
    fmt.extend_from_slice(&0u16.to_le_bytes()); // cbSize
    let mut body = b"WAVE".to_vec();
    body.extend(chunk(b"fmt ", &fmt));
    body.extend(chunk(b"fact", &(data.len() as u32).to_le_bytes()));
    body.extend(chunk(b"LIST", b"INFOISFT\x05\x00\x00\x00trunk"));
    body.extend(chunk(b"data", data));
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&(body.len() as u32).to_le_bytes());
    file.extend(body);
    file
}

/// The bytes of the `data` chunk of a WAV file (test-side chunk walk).
fn data_chunk(file: &[u8]) -> &[u8] {
    let mut pos = 12;
    while pos + 8 <= file.len() {
        let size = u32::from_le_bytes(file[pos + 4..pos + 8].try_into().unwrap()) as usize;
        if &file[pos..pos + 4] == b"data" {
            return &file[pos + 8..pos + 8 + size];
        }
        pos += 8 + size + (size & 1);
    }
    panic!("no data chunk");
}

fn all_codes() -> Vec<u8> {
    (0..=255u8).collect()
}

fn zero_crossings(s: &[i16]) -> usize {
    s.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count()
}

#[test]
fn pcm16_wav_loads_through_hound() {
    let dir = scratch("pcm16");
    let path = dir.join("ramp.wav");
    let samples: Vec<i16> = (0..4000).map(|i| (i * 16 - 32000) as i16).collect();
    write_pcm16(&path, &samples);
    let p = load(&path).unwrap();
    assert_eq!(p.samples(), &samples[..]);
    assert_eq!(p.duration_ms(), 500);
    assert_eq!(p.source(), path);
    assert_eq!(p.format(), PromptFormat::WavPcm16);
}

#[test]
fn g711_wav_by_hand_decodes_like_g711() {
    let dir = scratch("g711wav");
    let codes = all_codes();
    for (tag, law, format) in [
        (6u16, g711::Law::ALaw, PromptFormat::WavAlaw),
        (7, g711::Law::MuLaw, PromptFormat::WavUlaw),
    ] {
        // 257 octets: an odd data chunk, padded.
        let mut data = codes.clone();
        data.push(0x55);
        let path = dir.join(format!("codes{tag}.wav"));
        std::fs::write(&path, g711_wav(tag, 8000, 1, &data)).unwrap();
        let p = load(&path).unwrap();
        let expected: Vec<i16> = data.iter().map(|&c| law.decode_sample(c)).collect();
        assert_eq!(p.samples(), &expected[..], "tag {tag}");
        assert_eq!(p.format(), format);
    }
    // A-law really is A-law: code 0xD5 is the smallest positive value, 8.
    assert_eq!(g711::alaw_to_linear(0xD5), 8);
}

#[test]
fn raw_files_decode_by_extension() {
    let dir = scratch("raw");
    let codes = all_codes();
    for ext in ["al", "alaw", "a8", "AL"] {
        let path = dir.join(format!("codes.{ext}"));
        std::fs::write(&path, &codes).unwrap();
        let p = load(&path).unwrap();
        let expected: Vec<i16> = codes.iter().map(|&c| g711::alaw_to_linear(c)).collect();
        assert_eq!(p.samples(), &expected[..], ".{ext}");
        assert_eq!(p.format(), PromptFormat::RawAlaw);
    }
    for ext in ["ul", "ulaw", "mu", "u8"] {
        let path = dir.join(format!("codes.{ext}"));
        std::fs::write(&path, &codes).unwrap();
        let p = load(&path).unwrap();
        let expected: Vec<i16> = codes.iter().map(|&c| g711::ulaw_to_linear(c)).collect();
        assert_eq!(p.samples(), &expected[..], ".{ext}");
        assert_eq!(p.format(), PromptFormat::RawUlaw);
    }
    let samples: Vec<i16> = vec![i16::MIN, -1, 0, 1, i16::MAX, 12345];
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    for ext in ["sln", "raw"] {
        let path = dir.join(format!("lin.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(load(&path).unwrap().samples(), &samples[..]);
    }
    let odd = dir.join("odd.sln");
    std::fs::write(&odd, [1u8, 2, 3]).unwrap();
    assert!(matches!(load(&odd), Err(PromptError::Truncated { .. })));
}

#[test]
fn sox_g711_and_pcm_wavs_load() {
    let dir = scratch("sox");
    sox(
        &dir,
        &[
            "-n", "-r", "8000", "-c", "1", "-e", "a-law", "a.wav", "synth", "1", "sine", "1000",
        ],
    );
    sox(
        &dir,
        &[
            "-n", "-r", "8000", "-c", "1", "-e", "u-law", "u.wav", "synth", "1", "sine", "1000",
        ],
    );
    sox(
        &dir,
        &[
            "-n", "-r", "8000", "-c", "1", "-b", "16", "l.wav", "synth", "1", "sine", "1000",
        ],
    );
    for (name, law) in [("a.wav", g711::Law::ALaw), ("u.wav", g711::Law::MuLaw)] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let data = data_chunk(&bytes);
        let p = load(&dir.join(name)).unwrap();
        let expected: Vec<i16> = data.iter().map(|&c| law.decode_sample(c)).collect();
        assert_eq!(p.samples(), &expected[..], "{name}");
        assert_eq!(p.samples().len(), 8000, "{name}");
        // 1000 Hz for 1 s: about 2000 zero crossings.
        let zc = zero_crossings(p.samples());
        assert!((1990..=2010).contains(&zc), "{name}: {zc} zero crossings");
    }
    let p = load(&dir.join("l.wav")).unwrap();
    let hound_samples: Vec<i16> = hound::WavReader::open(dir.join("l.wav"))
        .unwrap()
        .samples::<i16>()
        .map(Result::unwrap)
        .collect();
    assert_eq!(p.samples(), &hound_samples[..]);
    assert_eq!(p.duration_ms(), 1000);
}

#[test]
fn sox_files_in_other_formats_are_rejected_with_a_fix() {
    let dir = scratch("soxbad");
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["-r", "16000", "-c", "1", "-b", "16"],
            "r16k.wav",
            "16000 Hz",
        ),
        (
            &["-r", "8000", "-c", "2", "-b", "16"],
            "stereo.wav",
            "2 channels",
        ),
        (
            &["-r", "8000", "-c", "1", "-b", "8", "-e", "unsigned"],
            "u8.wav",
            "8-bit unsigned PCM",
        ),
        (
            &["-r", "8000", "-c", "1", "-b", "24"],
            "s24.wav",
            "24-bit PCM",
        ),
        (
            &["-r", "8000", "-c", "1", "-b", "32", "-e", "floating-point"],
            "f32.wav",
            "float",
        ),
        (
            &["-r", "8000", "-c", "1", "-e", "gsm-full-rate"],
            "gsm.wav",
            "GSM",
        ),
    ];
    for (opts, name, what) in cases {
        let mut args = vec!["-n"];
        args.extend_from_slice(opts);
        args.extend_from_slice(&[name, "synth", "0.1", "sine", "1000"]);
        sox(&dir, &args);
        let err = load(&dir.join(name)).unwrap_err();
        assert!(
            matches!(err, PromptError::Unsupported { .. }),
            "{name}: {err}"
        );
        let msg = err.to_string();
        assert!(msg.contains(what), "{name}: {msg}");
        assert!(
            msg.contains(name),
            "{name}: message must name the file: {msg}"
        );
        assert!(
            msg.contains("sox in.wav -r 8000 -c 1 -b 16 out.wav"),
            "{msg}"
        );
        assert_eq!(err.path(), dir.join(name));
    }
    // Hand-made G.711 WAVs at other rates or channel counts too.
    std::fs::write(dir.join("a16k.wav"), g711_wav(6, 16000, 1, &[1, 2, 3])).unwrap();
    let msg = load(&dir.join("a16k.wav")).unwrap_err().to_string();
    assert!(msg.contains("16000 Hz"), "{msg}");
    std::fs::write(dir.join("a2.wav"), g711_wav(7, 8000, 2, &[1, 2, 3, 4])).unwrap();
    let msg = load(&dir.join("a2.wav")).unwrap_err().to_string();
    assert!(msg.contains("stereo"), "{msg}");
}

#[test]
fn bad_files_are_clear_errors() {
    let dir = scratch("bad");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let empty = write("empty.wav", b"");
    assert!(matches!(load(&empty), Err(PromptError::Empty { .. })));
    let empty_al = write("empty.al", b"");
    assert!(matches!(load(&empty_al), Err(PromptError::Empty { .. })));
    let no_data = g711_wav(6, 8000, 1, &[]);
    let empty_data = write("nodata.wav", &no_data);
    assert!(matches!(load(&empty_data), Err(PromptError::Empty { .. })));
    let text = write("notes.wav", b"this is not a wav file at all");
    assert!(matches!(load(&text), Err(PromptError::NotWav { .. })));
    let avi = write("movie.wav", b"RIFF\x04\x00\x00\x00AVI ");
    assert!(matches!(load(&avi), Err(PromptError::NotWav { .. })));
    let mut cut = g711_wav(6, 8000, 1, &[1; 100]);
    cut.truncate(cut.len() - 10);
    let cut = write("cut.wav", &cut);
    let err = load(&cut).unwrap_err();
    assert!(matches!(err, PromptError::Truncated { .. }), "{err}");
    assert!(err.to_string().contains("data"), "{err}");
    let mp3 = write("song.mp3", b"ID3");
    let err = load(&mp3).unwrap_err();
    assert!(matches!(err, PromptError::UnknownExtension { .. }), "{err}");
    assert!(
        err.to_string().contains(".wav"),
        "must say what is expected: {err}"
    );
    let missing = dir.join("missing.wav");
    assert!(matches!(load(&missing), Err(PromptError::Io { .. })));
    for p in [&empty, &text, &avi, &cut, &mp3, &missing] {
        let err = load(p).unwrap_err();
        assert_eq!(err.path(), p.as_path());
        assert!(err.to_string().contains(&*p.to_string_lossy()), "{err}");
    }
}

#[test]
fn hostile_bytes_never_panic() {
    let dir = scratch("fuzz");
    let pcm = dir.join("valid-pcm.wav");
    write_pcm16(&pcm, &[100, -200, 300, -400, 500, -600, 700, -800]);
    let valid_pcm = std::fs::read(&pcm).unwrap();
    let valid_alaw = g711_wav(6, 8000, 1, &[0x55, 0xD5, 0x2A, 0xAA, 0x00, 0x80, 0x7F]);
    let path = dir.join("x.wav");

    // Every truncation of a valid file that cuts into its audio is an
    // error, never a panic. (The A-law file's data chunk is odd-sized: only
    // its pad byte may be missing at the end, a common writer bug.)
    for (valid, pad) in [(&valid_pcm, 0), (&valid_alaw, 1)] {
        std::fs::write(&path, valid).unwrap();
        assert!(load(&path).is_ok());
        for len in 0..valid.len() {
            std::fs::write(&path, &valid[..len]).unwrap();
            if len >= valid.len() - pad {
                assert_eq!(load(&path).unwrap().samples().len(), 7);
                continue;
            }
            let err = load(&path).expect_err("truncated file accepted");
            assert_eq!(err.path(), path.as_path());
        }
    }
    // Random mutations of valid files, and random bytes behind a RIFF
    // header: any answer but a panic is fine.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for round in 0..3000 {
        let mut bytes = match round % 3 {
            0 => valid_pcm.clone(),
            1 => valid_alaw.clone(),
            _ => {
                let mut b = b"RIFF\xff\xff\xff\xffWAVE".to_vec();
                b.extend((0..rng.below(64)).map(|_| rng.next() as u8));
                b
            }
        };
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next() as u8;
        }
        std::fs::write(&path, &bytes).unwrap();
        if let Ok(p) = load(&path) {
            accepted += 1;
            assert!(!p.samples().is_empty());
        }
    }
    // Mutations inside the sample data keep a file valid.
    assert!(accepted > 0);
}

#[test]
fn cache_hits_reloads_and_evicts_least_recently_used() {
    let dir = scratch("cache");
    let (a, b, c) = (dir.join("a.sln"), dir.join("b.sln"), dir.join("c.sln"));
    let lin = |n: usize, v: i16| -> Vec<u8> { (0..n).flat_map(|_| v.to_le_bytes()).collect() };
    std::fs::write(&a, lin(800, 1)).unwrap();
    std::fs::write(&b, lin(800, 2)).unwrap();
    std::fs::write(&c, lin(800, 3)).unwrap();
    // Room for two 1600-byte prompts.
    let mut cache = PromptCache::new(3200);
    let pa = cache.get(&a).unwrap();
    let pa2 = cache.get(&dir.join("x/../a.sln")).unwrap_err(); // x does not exist
    assert!(matches!(pa2, PromptError::Io { .. }));
    let pa3 = cache.get(&a).unwrap();
    assert!(
        Arc::ptr_eq(&pa, &pa3),
        "second get must be the cached prompt"
    );
    let s = cache.stats();
    assert_eq!((s.hits, s.misses, s.bytes, s.entries), (1, 1, 1600, 1));

    let pb = cache.get(&b).unwrap();
    let _ = cache.get(&a).unwrap(); // a is now more recent than b
    let pc = cache.get(&c).unwrap(); // over budget: b goes
    let s = cache.stats();
    assert_eq!((s.evictions, s.bytes, s.entries), (1, 3200, 2));
    assert!(cache.contains(&std::fs::canonicalize(&a).unwrap()));
    assert!(!cache.contains(&std::fs::canonicalize(&b).unwrap()));
    assert!(cache.contains(&std::fs::canonicalize(&c).unwrap()));
    // The evicted prompt lives on for whoever still holds it.
    assert_eq!(pb.samples()[0], 2);
    assert_eq!(pc.samples()[0], 3);
    let pb2 = cache.get(&b).unwrap();
    assert!(!Arc::ptr_eq(&pb, &pb2), "evicted prompt is decoded again");
    assert_eq!(cache.stats().misses, 4);

    // A changed file is decoded again.
    let before = cache.get(&c).unwrap();
    std::fs::write(&c, lin(400, 7)).unwrap();
    let after = cache.get(&c).unwrap();
    assert_eq!(after.samples().len(), 400);
    assert_eq!(after.samples()[0], 7);
    assert_eq!(before.samples()[0], 3);
    assert_eq!(cache.stats().reloads, 1);

    // A prompt bigger than the whole budget is served but not kept.
    let big = dir.join("big.sln");
    std::fs::write(&big, lin(4000, 9)).unwrap();
    assert_eq!(cache.get(&big).unwrap().samples().len(), 4000);
    assert!(cache.stats().bytes <= 3200);
    assert!(!cache.contains(&std::fs::canonicalize(&big).unwrap()));
}

#[test]
fn resolve_finds_extensions_and_refuses_escapes() {
    let dir = scratch("resolve");
    std::fs::create_dir_all(dir.join("en")).unwrap();
    std::fs::write(dir.join("en/hello.wav"), b"x").unwrap();
    std::fs::write(dir.join("en/beep.al"), b"x").unwrap();
    std::fs::write(dir.join("en/beep.ul"), b"x").unwrap();
    let base = Some(dir.as_path());
    assert_eq!(resolve(base, "en/hello").unwrap(), dir.join("en/hello.wav"));
    assert_eq!(
        resolve(base, "en/hello.wav").unwrap(),
        dir.join("en/hello.wav")
    );
    // .al comes before .ul in the search order.
    assert_eq!(resolve(base, "en/beep").unwrap(), dir.join("en/beep.al"));
    assert_eq!(resolve(base, "en/beep.ul").unwrap(), dir.join("en/beep.ul"));
    for bad in ["../etc/passwd", "en/../../x", "/etc/passwd", ""] {
        assert!(
            matches!(resolve(base, bad), Err(PromptError::Escape { .. })),
            "{bad:?} must be refused"
        );
    }
    let err = resolve(base, "en/missing").unwrap_err();
    assert!(matches!(err, PromptError::NotFound { .. }));
    assert!(err.to_string().contains(".wav"), "{err}");
    // Without a base directory, paths are used as given.
    let abs = dir.join("en/hello");
    assert_eq!(
        resolve(None, abs.to_str().unwrap()).unwrap(),
        dir.join("en/hello.wav")
    );
}

fn prompt(label: &str, n: usize, seed: i16) -> Arc<Prompt> {
    Arc::new(Prompt::from_samples(
        label,
        (0..n)
            .map(|i| seed.wrapping_mul(7).wrapping_add(i as i16 * 13))
            .collect(),
    ))
}

/// Plays `player` in 8-sample ticks until it finishes (or `max_ticks`);
/// returns the output and the tick on which `fill` said Finished.
fn play(player: &mut Player, max_ticks: usize) -> (Vec<i16>, Option<usize>) {
    let mut out = Vec::new();
    for tick in 0..max_ticks {
        let mut buf = [0x7777i16; 8];
        let state = player.fill(&mut buf);
        out.extend_from_slice(&buf);
        if state == PlayState::Finished {
            return (out, Some(tick));
        }
    }
    (out, None)
}

#[test]
fn player_plays_exactly_the_concatenation() {
    // Lengths that do not divide into 8-sample ticks.
    let (p1, p2, p3) = (
        prompt("p1", 37, 1),
        prompt("p2", 1, 2),
        prompt("p3", 803, 3),
    );
    let list = Playlist::new(vec![
        PlayItem::Prompt(p1.clone()),
        PlayItem::Silence(5),
        PlayItem::Prompt(p2.clone()),
        PlayItem::Prompt(p3.clone()),
    ])
    .unwrap();
    let mut expected: Vec<i16> = p1.samples().to_vec();
    expected.extend(std::iter::repeat_n(0, 40));
    expected.extend_from_slice(p2.samples());
    expected.extend_from_slice(p3.samples());
    assert_eq!(list.total_samples(), expected.len());

    let mut player = Player::new();
    assert!(player.start(list, false).is_none());
    assert!(player.is_playing());
    assert!(player.take_playlist().is_none(), "not while playing");
    let (out, finished) = play(&mut player, 1000);
    let ticks = expected.len().div_ceil(8);
    assert_eq!(finished, Some(ticks - 1));
    assert_eq!(&out[..expected.len()], &expected[..]);
    assert!(
        out[expected.len()..].iter().all(|&s| s == 0),
        "silence after the end"
    );
    assert!(!player.is_playing());
    assert_eq!(player.position_ms(), (expected.len() / 8) as u64);
    let back = player
        .take_playlist()
        .expect("finished playlist comes back");
    assert_eq!(back.len(), 4);
    // Idle: silence, Finished.
    let mut buf = [5i16; 8];
    assert_eq!(player.fill(&mut buf), PlayState::Finished);
    assert_eq!(buf, [0; 8]);
}

#[test]
fn player_barge_in_and_repeat() {
    let p = prompt("p", 100, 4);
    let list = Playlist::new(vec![PlayItem::Prompt(p.clone()), PlayItem::Silence(2)]).unwrap();
    let pass: Vec<i16> = p.samples().iter().copied().chain([0; 16]).collect();

    let mut player = Player::new();
    player.start(list.clone(), true);
    let (out, finished) = play(&mut player, 50);
    assert_eq!(finished, None, "repeat never finishes by itself");
    let expected: Vec<i16> = pass.iter().copied().cycle().take(400).collect();
    assert_eq!(out, expected);
    assert_eq!(player.played_ms(), 50);
    assert_eq!(player.position_ms(), (400 % pass.len()) as u64 / 8);

    // Barge-in: a digit arrives, the engine stops the prompt.
    let back = player.stop().expect("stop hands the playlist back");
    assert_eq!(back.len(), 2);
    assert!(!player.is_playing());
    let mut buf = [1i16; 8];
    assert_eq!(player.fill(&mut buf), PlayState::Finished);
    assert_eq!(buf, [0; 8]);
    assert!(player.stop().is_none());

    // Starting over an unfinished playlist hands the old one back.
    player.start(list.clone(), false);
    let mut buf = [0i16; 8];
    player.fill(&mut buf);
    assert_eq!(&buf[..], &p.samples()[..8]);
    assert!(player.start(list, false).is_some());
    player.fill(&mut buf);
    assert_eq!(
        &buf[..],
        &p.samples()[..8],
        "restart plays from the beginning"
    );
}

#[test]
fn playlist_gain_and_limits() {
    let p = Arc::new(Prompt::from_samples(
        "g",
        vec![1000, -1000, 20000, -20000, 0],
    ));
    let mut player = Player::new();
    let list = Playlist::from_prompts(vec![p.clone()]).unwrap();
    player.start(list.clone().with_gain_db(0.0).unwrap(), false);
    let mut buf = [0i16; 5];
    player.fill(&mut buf);
    assert_eq!(buf, [1000, -1000, 20000, -20000, 0]);
    player.start(list.clone().with_gain_db(-6.0206).unwrap(), false);
    player.fill(&mut buf);
    assert_eq!(buf, [500, -500, 10000, -10000, 0]);
    player.start(list.clone().with_gain_db(6.0206).unwrap(), false);
    player.fill(&mut buf);
    assert_eq!(
        buf,
        [2000, -2000, i16::MAX, i16::MIN, 0],
        "saturates, never wraps"
    );

    assert_eq!(
        list.clone().with_gain_db(f32::NAN).unwrap_err().to_string(),
        PlaylistError::BadGain(f32::NAN).to_string()
    );
    assert!(list.with_gain_db(40.0).is_err());
    assert_eq!(Playlist::new(vec![]).unwrap_err(), PlaylistError::Empty);
    assert_eq!(
        Playlist::new(vec![PlayItem::Silence(0)]).unwrap_err(),
        PlaylistError::Empty
    );
    let many = vec![p.clone(); MAX_PLAYLIST + 1];
    assert_eq!(
        Playlist::from_prompts(many).unwrap_err(),
        PlaylistError::TooLong(MAX_PLAYLIST + 1)
    );
    assert!(Playlist::from_prompts(vec![p; MAX_PLAYLIST]).is_ok());
    assert_eq!(prompt::EXTENSIONS[0], "wav");
}
