//! `trunkctl`: command-line client of the trunkd daemon.
//!
//! Talks to trunkd over its control socket (see [`trunk_tools::client`])
//! and prints either aligned tables or, with `--json`, the raw result object
//! as one JSON line. Errors go to stderr as `trunkctl: <message>` with exit
//! status 1 (2 for bad input to `trunkctl decode`, as for usage errors).

use std::error::Error;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};

use trunk_tools::acd_cli::{self, AcdCommand};
use trunk_tools::api::{BertReport, ChannelsReply, SpansReply, Status, DEFAULT_SOCKET};
use trunk_tools::calls_cli::{self, CallCommand, Session};
use trunk_tools::cdr_cli::{self, CdrCommand};
use trunk_tools::chan::SpanTs;
use trunk_tools::client::{decode, Client, ClientError};
use trunk_tools::ivr_cli::{self, IvrCommand};
use trunk_tools::media_cli::{self, MediaCommand};
use trunk_tools::rec_cli::{self, RecCommand};
use trunk_tools::render;

/// Interval between `bert` polls (wall time).
const BERT_POLL: Duration = Duration::from_millis(200);

/// Query and control trunkd, the E1/T1 telephony board daemon.
#[derive(Debug, Parser)]
#[command(name = "trunkctl", version, propagate_version = true)]
#[command(after_help = "\
Examples:
  trunkctl status
  trunkctl spans --json
  trunkctl channels --span 2
  trunkctl bert 1/5 --seconds 30
  trunkctl dial pstn 5551234 --from 8880001
  trunkctl calls --recent
  trunkctl hangup 12 --cause 17
  trunkctl events --filter 'call_*' --span 1
  trunkctl cdr tail -n 50 --follow
  trunkctl stats --interval 60 --queue sales --csv
  trunkctl history 0612345678
  trunkctl recordings --from 2026-11-23T00:00:00Z --agent 1001
  trunkctl record start 12
  trunkctl capture 1 -w dchan.pcap --seconds 60")]
struct Cli {
    #[command(flatten)]
    global: GlobalOpts,
    #[command(subcommand)]
    command: Command,
}

/// Options accepted by every command.
#[derive(Debug, Args)]
struct GlobalOpts {
    /// Path of trunkd's control socket
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = "TRUNKD_SOCKET",
        hide_env_values = true,
        default_value = DEFAULT_SOCKET
    )]
    socket: PathBuf,

    /// Print the result object as one JSON line instead of a table
    #[arg(long, global = true)]
    json: bool,

    /// Seconds to wait for each reply from trunkd before giving up
    #[arg(long, global = true, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    timeout: Duration,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the server, its uptime and configuration, and the boards
    Status,
    /// Show every span: line settings, state, alarms and error counters
    #[command(long_about = "\
Show every span: line settings, state, alarms and error counters.

Columns:
  SPAN     global span number       BOARD    board the span is on
  LINE     E1 or T1                 FRAMING  CRC4, CAS, ESF, D4, ...
  CODE     line code (HDB3, B8ZS)   CLOCK    clock source
  SIG      signalling               STATE    up, alarm or disabled
  ALARMS   LOS,LOF,AIS,RAI,CRC_MF_LOSS, or OK when clear
  CRC      CRC errors               CV       line code violations
  EBIT     far-end E-bit errors     SLIP     frame slips
  FAS      frame alignment errors   UNDR/OVR tx underruns / rx overruns
  DCH-RX/DCH-TX  D-channel frames received/sent (- without a D channel)")]
    Spans,
    /// Show channels (timeslots), their kind, state and trunk group
    Channels {
        /// Only show the channels of this span
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        span: Option<u32>,
    },
    /// Run a bit error rate test on one timeslot and report the result
    #[command(long_about = "\
Run a bit error rate test on one timeslot and report the result.

Starts the test with bert_start, polls its progress every 200 ms and prints \
bits, errors, error rate, pattern sync and resyncs once it is done. The \
test length is measured in board time; trunkctl gives up after \
SECONDS*20+30 s of wall time. Exit status is 0 when the test ran (even if \
it counted errors) and 1 when it could not be run.")]
    Bert {
        /// Channel to test, as SPAN/TS (e.g. 1/5)
        #[arg(value_name = "SPAN/TS")]
        channel: String,
        /// Test length in seconds (board time)
        #[arg(long, value_name = "N", default_value_t = 10,
              value_parser = clap::value_parser!(u64).range(1..=86_400))]
        seconds: u64,
    },
    #[command(flatten)]
    Calls(CallCommand),
    #[command(flatten)]
    Media(MediaCommand),
    #[command(flatten)]
    Ivr(IvrCommand),
    #[command(flatten)]
    Acd(AcdCommand),
    #[command(flatten)]
    Rec(RecCommand),
    /// Call detail records: `cdr tail [-n N] [--follow]`
    Cdr {
        #[command(subcommand)]
        cmd: CdrCommand,
    },
    /// Send any API request (see docs/api.md) and print its result as JSON
    #[command(long_about = "\
Send any API request (see docs/api.md) and print its result as one JSON line.

For the commands trunkctl has no subcommand for yet, e.g. the media ones:
  trunkctl request play '{\"span\":1,\"timeslot\":5,\"prompts\":[\"welcome\"]}'
  trunkctl request bridge '{\"call\":7,\"with\":{\"call\":9}}'
  trunkctl request conferences")]
    Request {
        /// The command, e.g. play, collect, send_dtmf, record, bridge
        #[arg(value_name = "CMD")]
        cmd: String,
        /// Its arguments as a JSON object
        #[arg(value_name = "JSON")]
        args: Option<String>,
    },
    /// Decode one signalling frame given in hex, like pridump (no daemon needed)
    Decode {
        /// What the octets are: q931 (a Q.931 message), lapd (a LAPD frame
        /// from its address field, no FCS; Q.931 inside is decoded too),
        /// isup (from the CIC), mtp3 (an MSU from its SIO) or mtp2 (a signal
        /// unit from its BSN octet, no FCS; an MSU inside is decoded too)
        #[arg(value_parser = ["q931", "lapd", "isup", "mtp3", "mtp2"])]
        protocol: String,
        /// SS7 variant for isup, mtp3 and mtp2: itu, ansi or china
        #[arg(long, default_value = "itu", value_parser = ["itu", "ansi", "china"])]
        variant: String,
        /// The octets, e.g. "08 02 00 01 05 04 03 80 90 a3"
        #[arg(value_name = "HEX", num_args = 1.., required = true)]
        hex: Vec<String>,
    },
}

/// Parses `--timeout` seconds (fractions allowed, > 0, ≤ 1 day).
fn parse_timeout(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!("'{s}' is not between 0 and 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(secs))
}

type Res<T> = Result<T, Box<dyn Error>>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("trunkctl: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Res<ExitCode> {
    let g = &cli.global;
    match &cli.command {
        Command::Status => {
            let raw = connect(g)?.request("status", Value::Null)?;
            output(g, &raw, |v| {
                decode::<Status>("status", v).map(|s| render::status(&s))
            })?;
        }
        Command::Spans => {
            let raw = connect(g)?.request("spans", Value::Null)?;
            output(g, &raw, |v| {
                decode::<SpansReply>("spans", v).map(|r| render::spans(&r.spans))
            })?;
        }
        Command::Channels { span } => {
            let args = match span {
                Some(n) => json!({ "span": n }),
                None => Value::Null,
            };
            let raw = connect(g)?.request("channels", args)?;
            output(g, &raw, |v| {
                decode::<ChannelsReply>("channels", v).map(|r| render::channels(&r.channels))
            })?;
        }
        Command::Decode {
            protocol,
            hex,
            variant,
        } => {
            let decoded = trunk_tools::decode::parse_hex(&hex.join(" ")).and_then(|bytes| {
                let text = match protocol.as_str() {
                    "lapd" => trunk_tools::decode::lapd(&bytes),
                    "q931" => trunk_tools::decode::q931(&bytes),
                    ss7 => trunk_tools::decode_ss7::decode(ss7, &bytes, variant.parse()?)?,
                };
                Ok((bytes, text))
            });
            // Bad input is a usage error: status 2, as clap gives.
            let (bytes, text) = match decoded {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("trunkctl: decode {protocol}: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            if g.json {
                println!(
                    "{}",
                    json!({ "protocol": protocol, "octets": bytes.len(), "decode": text })
                );
            } else {
                print!("{text}");
            }
        }
        Command::Request { cmd, args } => {
            let args: Value = match args {
                Some(a) => serde_json::from_str(a)
                    .map_err(|e| format!("the arguments are not JSON: {e}"))?,
                None => Value::Null,
            };
            let raw = connect(g)?.request(cmd, args)?;
            println!("{raw}");
        }
        Command::Media(cmd) => {
            let session = Session {
                socket: g.socket.clone(),
                timeout: g.timeout,
                json: g.json,
            };
            return media_cli::run(cmd, &session);
        }
        Command::Ivr(cmd) => {
            let session = Session {
                socket: g.socket.clone(),
                timeout: g.timeout,
                json: g.json,
            };
            return ivr_cli::run(cmd, &session);
        }
        Command::Acd(cmd) => {
            let session = Session {
                socket: g.socket.clone(),
                timeout: g.timeout,
                json: g.json,
            };
            return acd_cli::run(cmd, &session);
        }
        Command::Rec(cmd) => {
            let session = Session {
                socket: g.socket.clone(),
                timeout: g.timeout,
                json: g.json,
            };
            return rec_cli::run(cmd, &session);
        }
        Command::Cdr { cmd } => {
            let session = Session {
                socket: g.socket.clone(),
                timeout: g.timeout,
                json: g.json,
            };
            return cdr_cli::run(cmd, &session);
        }
        Command::Calls(cmd) => {
            let session = Session {
                socket: g.socket.clone(),
                timeout: g.timeout,
                json: g.json,
            };
            return calls_cli::run(cmd, &session);
        }
        Command::Bert { channel, seconds } => {
            // Validate the address before touching the socket.
            let chan: SpanTs = channel.parse()?;
            return bert(&mut connect(g)?, g, chan, *seconds);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn connect(g: &GlobalOpts) -> Result<Client, ClientError> {
    Client::connect_with_timeout(&g.socket, g.timeout)
}

/// Prints `raw` as one JSON line with `--json`, otherwise the text made by
/// `human` from it.
fn output(
    g: &GlobalOpts,
    raw: &Value,
    human: impl FnOnce(Value) -> Result<String, ClientError>,
) -> Res<()> {
    let text = if g.json {
        let mut line = serde_json::to_string(raw)?;
        line.push('\n');
        line
    } else {
        human(raw.clone())?
    };
    emit(&text)
}

/// Writes to stdout; a closed pipe (`trunkctl spans | head`) is not an error.
fn emit(text: &str) -> Res<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Runs a BERT: start, poll until done, report.
fn bert(client: &mut Client, g: &GlobalOpts, chan: SpanTs, seconds: u64) -> Res<ExitCode> {
    let args = json!({ "span": chan.span, "timeslot": chan.timeslot });
    client.bert_start(chan.span, chan.timeslot, seconds)?;
    let give_up_after = Duration::from_secs(seconds.saturating_mul(20).saturating_add(30));
    let give_up = Instant::now() + give_up_after;
    let progress = !g.json && io::stderr().is_terminal();
    if !g.json {
        emit(&format!(
            "BERT {chan}: running for {seconds} s (board time)\n"
        ))?;
    }
    loop {
        thread::sleep(BERT_POLL);
        let raw = client.request("bert", args.clone())?;
        let report: BertReport = decode("bert", raw.clone())?;
        if report.is_finished() {
            if progress {
                eprint!("\r\x1b[K");
            }
            output(g, &raw, |_| Ok(render::bert(&report)))?;
            if report.is_done() {
                return Ok(ExitCode::SUCCESS);
            }
            return Err(format!(
                "BERT on {chan} was stopped before it finished ({} of {seconds} s)",
                report.elapsed_ms as f64 / 1000.0
            )
            .into());
        }
        if progress {
            eprint!(
                "\r\x1b[K  {:.1}/{seconds} s  bits {}  errors {}  {}",
                report.elapsed_ms as f64 / 1000.0,
                report.bits,
                report.errors,
                if report.in_sync { "in sync" } else { "no sync" }
            );
        }
        if Instant::now() >= give_up {
            if progress {
                eprintln!();
            }
            // Best effort: do not leave the test running on the board.
            let stopped = client.bert_stop(chan.span, chan.timeslot).is_ok();
            return Err(format!(
                "BERT on {chan} did not finish within {} s of wall time (state '{}'){}",
                give_up_after.as_secs(),
                report.state,
                if stopped { "; stopped it" } else { "" }
            )
            .into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_after_subcommand() {
        let cli = Cli::try_parse_from([
            "trunkctl",
            "spans",
            "--json",
            "--socket",
            "/tmp/s.sock",
            "--timeout",
            "2.5",
        ])
        .expect("parse");
        assert!(cli.global.json);
        assert_eq!(cli.global.socket, PathBuf::from("/tmp/s.sock"));
        assert_eq!(cli.global.timeout, Duration::from_millis(2500));
        assert!(matches!(cli.command, Command::Spans));
    }

    #[test]
    fn bert_arguments() {
        let cli =
            Cli::try_parse_from(["trunkctl", "bert", "1/5", "--seconds", "30"]).expect("parse");
        match cli.command {
            Command::Bert { channel, seconds } => {
                assert_eq!(channel, "1/5");
                assert_eq!(seconds, 30);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["trunkctl", "bert", "1/5", "--seconds", "0"]).is_err());
    }

    #[test]
    fn call_command_arguments() {
        let parse = |args: &[&str]| {
            let mut v = vec!["trunkctl"];
            v.extend_from_slice(args);
            Cli::try_parse_from(v).map(|c| c.command)
        };
        let dial = parse(&["dial", "pstn", "5551234", "--from", "8880001"]).expect("dial");
        assert!(matches!(
            dial,
            Command::Calls(CallCommand::Dial { ref trunk_group, ref number, from: Some(ref f) })
                if trunk_group == "pstn" && number == "5551234" && f == "8880001"
        ));
        assert!(matches!(
            parse(&["hangup", "7"]).expect("hangup"),
            Command::Calls(CallCommand::Hangup {
                call: 7,
                cause: None
            })
        ));
        assert!(parse(&["hangup", "7", "--cause", "128"]).is_err());
        assert!(parse(&["restart", "1", "--channel", "32"]).is_err());
        match parse(&["play", "1/5", "welcome", "menu", "--wait"]).expect("play") {
            Command::Media(MediaCommand::Play {
                target: media_cli::Target::Chan(c),
                prompts,
                wait: true,
                ..
            }) => {
                assert_eq!((c.span, c.timeslot), (1, 5));
                assert_eq!(prompts, ["welcome", "menu"]);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            parse(&["collect", "7", "--max", "4", "--term", "#"]).expect("collect"),
            Command::Media(MediaCommand::Collect {
                target: media_cli::Target::Call(7),
                max: 4,
                ..
            })
        ));
        assert!(parse(&["collect", "7", "--max", "33"]).is_err());
        assert!(parse(&["play", "seven", "x"]).is_err());
        assert!(parse(&["play", "1/5"]).is_err(), "a prompt is required");
        assert!(matches!(
            parse(&["bridge", "7", "2/3"]).expect("bridge"),
            Command::Media(MediaCommand::Bridge {
                a: media_cli::Target::Call(7),
                b: media_cli::Target::Chan(_)
            })
        ));
        assert!(matches!(
            parse(&["calls", "--recent", "--json"]).expect("calls"),
            Command::Calls(CallCommand::Calls { recent: true })
        ));
        match parse(&[
            "events", "--filter", "call_*", "--filter", "link", "--count", "3",
        ])
        .expect("events")
        {
            Command::Calls(CallCommand::Events {
                filter,
                count,
                span,
                ..
            }) => {
                assert_eq!(filter, ["call_*", "link"]);
                assert_eq!(count, Some(3));
                assert_eq!(span, None);
            }
            other => panic!("unexpected {other:?}"),
        }
        match parse(&["capture", "2", "-w", "-", "--seconds", "0.5"]).expect("capture") {
            Command::Calls(CallCommand::Capture {
                span,
                write,
                seconds,
                count,
            }) => {
                assert_eq!(span, 2);
                assert_eq!(write, PathBuf::from("-"));
                assert_eq!(seconds, Some(Duration::from_millis(500)));
                assert_eq!(count, None);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse(&["capture", "2"]).is_err(), "-w is required");
    }

    #[test]
    fn acd_record_history_and_recordings_arguments() {
        use trunk_tools::rec_cli::{RecordAction, RecordingsArgs};
        let parse = |args: &[&str]| {
            let mut v = vec!["trunkctl"];
            v.extend_from_slice(args);
            Cli::try_parse_from(v).map(|c| c.command)
        };
        assert!(matches!(
            parse(&["queues"]).expect("queues"),
            Command::Acd(AcdCommand::Queues)
        ));
        assert!(matches!(
            parse(&["agents", "--json"]).expect("agents"),
            Command::Acd(AcdCommand::Agents)
        ));
        match parse(&["stats", "--interval", "60", "--queue", "sales", "--csv"]).expect("stats") {
            Command::Acd(AcdCommand::Stats {
                interval: Some(60),
                queue: Some(q),
                agent: None,
                csv: true,
                agents: false,
            }) => assert_eq!(q, "sales"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse(&["stats", "--interval", "0"]).is_err());
        assert!(parse(&["stats", "--agent", "x"]).is_err());
        // The old form still records a channel to a file.
        match parse(&["record", "1/5", "vm/1.wav", "--stereo", "--wait"]).expect("record") {
            Command::Media(MediaCommand::Record {
                action: None,
                target: Some(media_cli::Target::Chan(c)),
                file: Some(f),
                stereo: true,
                wait: true,
                ..
            }) => {
                assert_eq!((c.span, c.timeslot), (1, 5));
                assert_eq!(f, "vm/1.wav");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            parse(&["record", "7", "start"]).expect("a file named start"),
            Command::Media(MediaCommand::Record {
                action: None,
                target: Some(media_cli::Target::Call(7)),
                file: Some(ref f),
                ..
            }) if f == "start"
        ));
        assert!(parse(&["record", "7"]).is_err(), "FILE is required");
        assert!(parse(&["record"]).is_err());
        for (word, want) in [
            ("start", RecordAction::Start { call: 12 }),
            ("stop", RecordAction::Stop { call: 12 }),
        ] {
            match parse(&["record", word, "12"]).expect("record start|stop") {
                Command::Media(MediaCommand::Record {
                    action: Some(a),
                    target: None,
                    file: None,
                    ..
                }) => assert_eq!(a, want),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(parse(&["record", "start"]).is_err(), "CALL is required");
        assert!(parse(&["record", "start", "1/5"]).is_err(), "a call id");
        assert!(parse(&["record", "start", "12", "--stereo"]).is_err());
        assert!(matches!(
            parse(&["history", "0612345678"]).expect("history"),
            Command::Rec(RecCommand::History { ref ani, limit: 10 }) if ani == "0612345678"
        ));
        assert!(parse(&["history"]).is_err());
        match parse(&[
            "recordings",
            "--from",
            "2026-11-23T10:00:00Z",
            "--ani",
            "061",
            "--agent",
            "1001",
            "--json",
        ])
        .expect("recordings")
        {
            Command::Rec(RecCommand::Recordings(RecordingsArgs {
                from: Some(f),
                to: None,
                ani: Some(a),
                dnis: None,
                agent: Some(1001),
                limit: 100,
            })) => assert_eq!((f.as_str(), a.as_str()), ("2026-11-23T10:00:00Z", "061")),
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse(&["recordings", "--agent", "x"]).is_err());
    }

    #[test]
    fn timeout_parsing() {
        assert_eq!(parse_timeout("10"), Ok(Duration::from_secs(10)));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("NaN").is_err());
        assert!(parse_timeout("soon").is_err());
    }
}
