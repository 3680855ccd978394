// SPDX-License-Identifier: GPL-2.0

//! The encoders' PDUs checked by independent decoders: tshark (dissector warnings,
//! sequence analysis, field values) and nfdump (nfcapd collects over UDP; flows,
//! counters and sequence failures). Skips with a message if the tools are missing, except
//! with NETFLOW_REQUIRE_DECODERS=1 in the environment (as `make test` sets it): then a
//! missing decoder fails the test.

use super::encode_util::*;
use crate::export::options::Statistics;
use crate::export::pdu::{Clock, Push};
use crate::export::record::FlowRecord;
use crate::export::writer::{PduWriter, Protocol};
use crate::flow::key::{has_ports, Family};
use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("netflow-enc-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The flows exported: IPv4 TCP/UDP/ICMP, IPv6 UDP/ICMPv6, counters beyond 32 bits,
/// enough records for several (some full) PDUs; every flow has a distinct 5-tuple.
fn flows() -> Vec<FlowRecord> {
    let mut v = vec![rec_a(), rec_b(), rec_icmp()];
    let mut icmp6 = rec_b();
    icmp6.key.protocol = 58;
    icmp6.key.src_port = 0;
    icmp6.key.dst_port = 0x8000; // echo request
    v.push(icmp6);
    // the optional fields: options, flow label, IGMP, ESP
    let mut opts = numbered(rec_a(), 777);
    opts.attrs.ip_options = 0x8000_0000; // RR
    opts.attrs.tcp_options = 1 << (63 - 2) | 1 << (63 - 8); // MSS, timestamps
    v.push(opts);
    let mut label = numbered(rec_b(), 777);
    label.attrs.flow_label = 0xabcde;
    label.attrs.ip_options = 0x4000_0000; // hop-by-hop
    v.push(label);
    let mut igmp = rec_icmp();
    (igmp.key.protocol, igmp.key.dst_port) = (2, 0x16);
    v.push(igmp);
    let mut esp = rec_icmp();
    (esp.key.protocol, esp.key.src_port, esp.key.dst_port) = (50, 0x1234, 0x5678);
    v.push(esp);
    let mut big = numbered(rec_a(), 999);
    big.packets = 6_000_000_000;
    big.bytes = 50_000_000_000; // 12 v5 records
    v.push(big);
    let mut big6 = numbered(rec_b(), 999);
    big6.bytes = 5_000_000_000;
    v.push(big6);
    for i in 0..70u16 {
        let mut r = numbered(if i % 3 == 0 { rec_b() } else { rec_a() }, i);
        r.packets = u64::from(i) + 1;
        r.bytes = 100 * (u64::from(i) + 1);
        v.push(r);
    }
    v
}

/// Encodes `flows` into PDUs with a small template refresh rate; one clock per PDU,
/// a second apart. Returns the PDUs and the flows that were exportable.
fn encode(proto: Protocol, flows: &[FlowRecord]) -> (Vec<Vec<u8>>, Vec<FlowRecord>) {
    let mut w = PduWriter::new(proto, 7);
    w.set_template_rates(3, 0);
    let mut pdus = Vec::new();
    let mut sent = Vec::new();
    let mut c = clock();
    for (i, r) in flows.iter().enumerate() {
        loop {
            match w.push(r, &c) {
                Push::Added => {
                    sent.push(*r);
                    break;
                }
                Push::NotExportable => break,
                Push::Full => {
                    pdus.push(w.finish(&c).unwrap().to_vec());
                    c = Clock {
                        unix_ms: c.unix_ms + 1000,
                        uptime_ms: c.uptime_ms + 1000,
                    };
                }
            }
        }
        // a few short PDUs too, so sequence numbers advance by different amounts
        if i == 2 || i == 5 {
            pdus.push(w.finish(&c).unwrap().to_vec());
        }
    }
    pdus.push(w.finish(&c).unwrap().to_vec());
    (pdus, sent)
}

fn be16b(v: u16) -> [u8; 2] {
    v.to_be_bytes()
}

/// A pcap (Ethernet, IPv4 127.0.0.1 → 127.0.0.1, UDP 40000 → 2055) holding `pdus`.
fn pcap(pdus: &[Vec<u8>]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend(0xa1b2_c3d4u32.to_le_bytes()); // magic, microsecond timestamps
    f.extend(2u16.to_le_bytes()); // version 2.4
    f.extend(4u16.to_le_bytes());
    f.extend(0i32.to_le_bytes()); // thiszone
    f.extend(0u32.to_le_bytes()); // sigfigs
    f.extend(65535u32.to_le_bytes()); // snaplen
    f.extend(1u32.to_le_bytes()); // LINKTYPE_ETHERNET
    for (i, p) in pdus.iter().enumerate() {
        let udp_len = 8 + p.len();
        let ip_len = 20 + udp_len;
        let mut ip = vec![0x45, 0];
        ip.extend(be16b(ip_len as u16));
        ip.extend(be16b(i as u16)); // id
        ip.extend([0x40, 0, 64, 17, 0, 0]); // DF, ttl 64, UDP, checksum 0 for now
        ip.extend([127, 0, 0, 1, 127, 0, 0, 1]);
        let mut sum: u32 = ip
            .chunks(2)
            .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
            .sum();
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        ip[10..12].copy_from_slice(&be16b(!(sum as u16)));
        let mut frame = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00];
        frame.extend(ip);
        frame.extend(be16b(40000));
        frame.extend(be16b(2055));
        frame.extend(be16b(udp_len as u16));
        frame.extend([0, 0]); // no UDP checksum
        frame.extend(p);
        f.extend((1_700_000_000 + i as u32).to_le_bytes());
        f.extend(0u32.to_le_bytes());
        f.extend((frame.len() as u32).to_le_bytes());
        f.extend((frame.len() as u32).to_le_bytes());
        f.extend(frame);
    }
    f
}

fn addr_str(r: &FlowRecord, src: bool) -> String {
    let a = if src { r.key.src } else { r.key.dst };
    match r.key.family {
        Family::V4 => std::net::Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string(),
        Family::V6 => std::net::Ipv6Addr::from(a).to_string(),
    }
}

type Tuple = (String, String, u16, u16, u8);

/// A record's 5-tuple as `proto` exports it: v5 has ports in every record (C's: the IGMP
/// type, the SPI's halves); v9/IPFIX templates have no ports for IGMP and IPsec (their own
/// fields carry those values).
fn tuple(r: &FlowRecord, proto: Protocol) -> Tuple {
    let k = &r.key;
    let ported = has_ports(k.protocol) || matches!(k.protocol, 1 | 58);
    let (sp, dp) = if ported || proto == Protocol::V5 {
        (k.src_port, k.dst_port)
    } else {
        (0, 0)
    };
    (addr_str(r, true), addr_str(r, false), sp, dp, k.protocol)
}

/// Expected (packets, bytes) per 5-tuple.
fn expected(sent: &[FlowRecord], proto: Protocol) -> BTreeMap<Tuple, (u64, u64)> {
    let mut m = BTreeMap::new();
    for r in sent {
        let e = m.entry(tuple(r, proto)).or_insert((0, 0));
        e.0 += r.packets;
        e.1 += r.bytes;
    }
    m
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run tool");
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?} failed:\n{s}\n{err}");
    s
}

/// The flow records of a `tshark -V` listing, each as its `Name: value` lines.
fn tshark_records(verbose: &str) -> Vec<BTreeMap<String, String>> {
    let mut recs: Vec<BTreeMap<String, String>> = Vec::new();
    let mut in_cflow = false;
    let mut in_rec = false;
    for line in verbose.lines() {
        if !line.starts_with(' ') {
            in_cflow = line.starts_with("Cisco NetFlow/IPFIX");
            in_rec = false;
            continue;
        }
        let t = line.trim();
        // v5 records are "pdu N/M", v9/IPFIX data records "Flow N"; a set header ends one
        let is_rec = t.starts_with("pdu ")
            || t.strip_prefix("Flow ")
                .is_some_and(|n| n.parse::<u32>().is_ok());
        if t.starts_with("FlowSet ") || t.starts_with("Set ") {
            in_rec = false;
        }
        if in_cflow && is_rec {
            recs.push(BTreeMap::new());
            in_rec = true;
        } else if let (true, Some(r), Some((k, v))) =
            (in_cflow && in_rec, recs.last_mut(), t.split_once(": "))
        {
            // keep the first occurrence (e.g. of "Padding")
            r.entry(k.to_string()).or_insert_with(|| v.to_string());
        }
    }
    recs
}

/// Sums tshark's decoded records per 5-tuple.
fn tshark_flows(recs: &[BTreeMap<String, String>]) -> BTreeMap<Tuple, (u64, u64)> {
    let mut m = BTreeMap::new();
    for r in recs {
        let f = |k: &str| {
            r.get(k)
                .unwrap_or_else(|| panic!("no {k} in {r:?}"))
                .as_str()
        };
        // "Protocol: TCP (6)"
        let proto = f("Protocol")
            .rsplit_once('(')
            .unwrap()
            .1
            .trim_end_matches(')');
        // ICMP records carry no ports: type << 8 | code is the key's destination port
        // (tshark shows IPFIX's icmpTypeCodeIPv6 as type and code, decimal)
        let icmp = match (r.get("ICMP Type"), r.get("IPv6 ICMP Type")) {
            (Some(v), _) => Some(u16::from_str_radix(v.trim_start_matches("0x"), 16).unwrap()),
            (None, Some(t)) => {
                Some(t.parse::<u16>().unwrap() << 8 | f("IPv6 ICMP Code").parse::<u16>().unwrap())
            }
            (None, None) => None,
        };
        // (and portless protocols other than ICMP have 0 in both)
        let port = |k: &str, or: Option<u16>| match r.get(k) {
            Some(v) => v.parse().unwrap(),
            None => or.unwrap_or(0),
        };
        let t = (
            f("SrcAddr").to_string(),
            f("DstAddr").to_string(),
            port("SrcPort", icmp.map(|_| 0)),
            port("DstPort", icmp),
            proto.parse().unwrap(),
        );
        let e = m.entry(t).or_insert((0u64, 0u64));
        e.0 += f("Packets").parse::<u64>().unwrap();
        e.1 += f("Octets").parse::<u64>().unwrap();
    }
    m
}

fn check_tshark(proto: Protocol, dir: &Path, pdus: &[Vec<u8>], sent: &[FlowRecord]) {
    let file = dir.join(format!("{proto:?}.pcap"));
    std::fs::write(&file, pcap(pdus)).unwrap();
    let f = file.to_str().unwrap();
    let decode = ["-r", f, "-d", "udp.port==2055,cflow"];
    let verbose = run(Command::new("tshark").args(decode).arg("-V"));
    assert!(
        !verbose.contains("Malformed"),
        "{proto:?}: malformed:\n{verbose}"
    );
    assert!(
        !verbose.contains("Expert Info (Warning"),
        "{proto:?}: warnings:\n{verbose}"
    );
    assert!(
        !verbose.contains("Expert Info (Error"),
        "{proto:?}: errors:\n{verbose}"
    );
    assert!(
        !verbose.contains("Unknown"),
        "{proto:?}: unknown fields:\n{verbose}"
    );
    let expert = run(Command::new("tshark")
        .args(decode)
        .args(["-q", "-z", "expert"]));
    assert!(
        !expert.contains("Warn") && !expert.contains("Error"),
        "{proto:?}: expert:\n{expert}"
    );
    // every frame decodes as this protocol's version
    let versions =
        run(Command::new("tshark")
            .args(decode)
            .args(["-T", "fields", "-e", "cflow.version"]));
    let want = (proto as u8).to_string();
    assert_eq!(versions.lines().count(), pdus.len());
    assert!(versions.lines().all(|l| l == want), "{proto:?}: {versions}");
    // field values: every record, summed per 5-tuple (v5 splits big counters)
    let recs = tshark_records(&verbose);
    let got = tshark_flows(&recs);
    assert_eq!(got, expected(sent, proto), "{proto:?}: tshark field values");
    // every other field of record A (the only flow with source port 12345)
    let a = recs
        .iter()
        .find(|r| r.get("SrcPort").map(String::as_str) == Some("12345"))
        .unwrap();
    let a = |k: &str| {
        a.get(k)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("{proto:?}: no {k}"))
    };
    assert_eq!(
        (a("InputInt"), a("OutputInt"), a("IP ToS")),
        ("3", "4", "0x10")
    );
    assert!(a("SrcMask").starts_with("24") && a("DstMask").starts_with("16"));
    if proto != Protocol::V5 {
        assert_eq!((a("NextHop"), a("IPVersion")), ("10.0.0.254", "4"));
        let by = |pred: &dyn Fn(&BTreeMap<String, String>) -> bool| {
            recs.iter()
                .find(|r| pred(r))
                .unwrap_or_else(|| panic!("{proto:?}: record not found"))
        };
        let field = |r: &BTreeMap<String, String>, k: &str| {
            r.get(k)
                .cloned()
                .unwrap_or_else(|| panic!("{proto:?}: no {k} in {r:?}"))
        };
        let is = |k: &'static str, v: &'static str| {
            move |r: &BTreeMap<String, String>| r.get(k).map(String::as_str) == Some(v)
        };
        let opts = by(&|r| is("SrcPort", "1777")(r) && is("IPVersion", "4")(r));
        assert_eq!(field(opts, "OptionMap"), "80000000");
        assert_eq!(field(opts, "TCP OptionMap"), "2080000000000000");
        let label = by(&|r| is("SrcPort", "1777")(r) && is("IPVersion", "6")(r));
        assert_eq!(field(label, "ipv6FlowLabel"), "703710"); // 0xabcde
        assert_eq!(field(label, "IPv6 Extension Headers"), "0x40000000");
        assert_eq!(field(by(&is("Protocol", "IGMP (2)")), "IGMP Type"), "22");
        let esp = by(&is("Protocol", "Encap Security Payload (50)"));
        assert_eq!(field(esp, "IPSec SPI"), "305419896"); // 0x12345678
    } else {
        assert_eq!(a("NextHop"), "10.0.0.254");
    }
    assert!(a("TCP Flags").starts_with(if proto == Protocol::Ipfix {
        "0x001b"
    } else {
        "0x1b"
    }));
    if proto == Protocol::Ipfix {
        assert_eq!(a("StartTime"), "Nov 14, 2023 22:13:10.500000000 UTC");
        assert_eq!(a("EndTime"), "Nov 14, 2023 22:13:15.500000000 UTC");
        assert_eq!(a("Flow End Reason"), "Idle timeout (1)");
    } else {
        assert_eq!(
            (a("StartTime"), a("EndTime")),
            ("90.000000000 seconds", "95.000000000 seconds")
        );
    }
    if proto != Protocol::V5 {
        let icmp = recs
            .iter()
            .find(|r| r.get("Protocol").map(String::as_str) == Some("ICMP (1)"))
            .unwrap();
        assert_eq!(
            icmp.get("ICMP Type").map(String::as_str),
            Some("0x0800"),
            "{proto:?}"
        );
        let icmp6 = recs
            .iter()
            .find(|r| r.get("Protocol").is_some_and(|p| p.ends_with("(58)")))
            .unwrap();
        let want = if proto == Protocol::Ipfix {
            ("IPv6 ICMP Type", "128")
        } else {
            ("ICMP Type", "0x8000")
        };
        assert_eq!(
            icmp6.get(want.0).map(String::as_str),
            Some(want.1),
            "{proto:?}: {icmp6:?}"
        );
    }
    eprintln!(
        "tshark: {proto:?}: {} PDUs, {} flows decode cleanly",
        pdus.len(),
        got.len()
    );
}

fn check_nfdump(proto: Protocol, dir: &Path, pdus: &[Vec<u8>], sent: &[FlowRecord]) {
    let flowdir = dir.join(format!("nfcapd-{proto:?}"));
    std::fs::create_dir_all(&flowdir).unwrap();
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("nfcapd")
        .args([
            "-w",
            flowdir.to_str().unwrap(),
            "-b",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nfcapd");
    // nfcapd has bound its socket when a second bind on the port fails
    let t0 = Instant::now();
    while UdpSocket::bind(("127.0.0.1", port)).is_ok() {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "nfcapd did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    for p in pdus {
        sock.send_to(p, ("127.0.0.1", port)).unwrap();
        std::thread::sleep(Duration::from_millis(2)); // no loss in the receive buffer
    }
    std::thread::sleep(Duration::from_millis(300));
    run(Command::new("kill").args(["-TERM", &child.id().to_string()]));
    child.wait().unwrap();
    let files: Vec<PathBuf> = std::fs::read_dir(&flowdir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("nfcapd.2")
        })
        .collect();
    assert_eq!(files.len(), 1, "{proto:?}: nfcapd files {files:?}");
    let f = files[0].to_str().unwrap();
    let csv = run(Command::new("nfdump").args(["-r", f, "-o", "csv"]));
    let mut got = BTreeMap::new();
    let mut rows = 0;
    let mut header: Option<Vec<&str>> = None;
    for line in csv.lines() {
        if line == "Summary" {
            break;
        }
        let cols: Vec<&str> = line.split(',').collect();
        let Some(h) = &header else {
            header = Some(cols);
            continue;
        };
        if cols.len() != h.len() {
            continue;
        }
        let col = |name: &str| cols[h.iter().position(|c| *c == name).unwrap()];
        // nfdump shows ICMP type.code in dp; our dst port is type << 8 | code
        let dp = match col("dp").split_once('.') {
            Some((t, c)) => (t.parse::<u16>().unwrap() << 8) | c.parse::<u16>().unwrap(),
            None => col("dp").parse().unwrap(),
        };
        let t: Tuple = (
            col("sa").to_string(),
            col("da").to_string(),
            col("sp").parse().unwrap(),
            dp,
            match col("pr") {
                "TCP" => 6,
                "UDP" => 17,
                "ICMP" => 1,
                "ICMP6" => 58,
                "IGMP" => 2,
                "ESP" => 50,
                n => n.parse().unwrap_or_else(|_| panic!("protocol {n}")),
            },
        );
        let e = got.entry(t).or_insert((0u64, 0u64));
        e.0 += col("ipkt").parse::<u64>().unwrap();
        e.1 += col("ibyt").parse::<u64>().unwrap();
        rows += 1;
    }
    assert!(rows > 0, "{proto:?}: no flows in\n{csv}");
    assert_eq!(got, expected(sent, proto), "{proto:?}: nfdump flows\n{csv}");
    let info = run(Command::new("nfdump").args(["-r", f, "-I"]));
    let failures = info
        .lines()
        .find_map(|l| l.strip_prefix("Sequence failures:"))
        .map(|v| v.trim().parse::<u64>().unwrap());
    assert_eq!(failures, Some(0), "{proto:?}: nfdump -I:\n{info}");
    let total = info
        .lines()
        .find_map(|l| l.strip_prefix("Flows:"))
        .map(|v| v.trim().parse::<usize>().unwrap());
    assert_eq!(total, Some(rows), "{proto:?}: nfdump -I:\n{info}");
    // record A in full, and ICMP type/code
    let raw = run(Command::new("nfdump").args(["-r", f, "-o", "raw", "src port 12345"]));
    let raw_field = |raw: &str, k: &str| -> String {
        let l = raw
            .lines()
            .find(|l| l.trim_start().starts_with(k))
            .unwrap_or_else(|| panic!("{proto:?}: no {k}:\n{raw}"));
        l.split_once('=')
            .unwrap()
            .1
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        raw_field(&raw, "first"),
        (BOOT_MS + 90_000).to_string(),
        "{proto:?}\n{raw}"
    );
    assert_eq!(
        raw_field(&raw, "last"),
        (BOOT_MS + 95_000).to_string(),
        "{proto:?}\n{raw}"
    );
    assert_eq!(raw_field(&raw, "tcp flags"), "0x1b");
    assert_eq!(raw_field(&raw, "src tos"), "16");
    assert_eq!(
        (raw_field(&raw, "input"), raw_field(&raw, "output")),
        ("3".into(), "4".into())
    );
    if proto != Protocol::V5 {
        // nfdump does not keep v5 masks
        assert_eq!(
            (raw_field(&raw, "src mask"), raw_field(&raw, "dst mask")),
            ("24".into(), "16".into())
        );
        for (filter, want) in [("proto icmp", "8.0"), ("proto icmp6", "128.0")] {
            let raw = run(Command::new("nfdump").args(["-r", f, "-o", "raw", filter]));
            assert_eq!(raw_field(&raw, "ICMP"), want, "{proto:?}: {filter}");
        }
    }
    if proto == Protocol::Ipfix {
        assert_eq!(raw_field(&raw, "end reason"), "0x01");
    }
    eprintln!("nfdump: {proto:?}: {rows} flows, 0 sequence failures");
}

#[test]
fn decoders_accept_our_pdus() {
    let all = flows();
    let tshark = have("tshark");
    let nfdump = have("nfcapd") && have("nfdump");
    let required = std::env::var_os("NETFLOW_REQUIRE_DECODERS").is_some_and(|v| v == "1");
    let missing: Vec<&str> = [(tshark, "tshark"), (nfdump, "nfcapd/nfdump")]
        .iter()
        .filter(|(have, _)| !have)
        .map(|&(_, name)| name)
        .collect();
    assert!(
        !required || missing.is_empty(),
        "NETFLOW_REQUIRE_DECODERS=1 and not installed: {}",
        missing.join(", ")
    );
    for name in &missing {
        eprintln!("SKIP: {name} not installed");
    }
    let dir = tmpdir("decoders");
    for proto in [Protocol::V5, Protocol::V9, Protocol::Ipfix] {
        let (pdus, sent) = encode(proto, &all);
        assert!(pdus.len() >= 4, "{proto:?}: want several PDUs");
        if proto == Protocol::V5 {
            assert_eq!(
                sent.len(),
                all.iter().filter(|r| r.key.family == Family::V4).count()
            );
        } else {
            assert_eq!(sent.len(), all.len());
        }
        if tshark {
            check_tshark(proto, &dir, &pdus, &sent);
        }
        if nfdump {
            check_nfdump(proto, &dir, &pdus, &sent);
        }
    }
    if std::env::var_os("NETFLOW_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("kept {}", dir.display());
    }
}

/// `pdus` written to `file` as a capture and decoded by `tshark -V`, which must report
/// no malformed packet, warning, error or unknown element.
fn tshark_clean(file: &Path, pdus: &[Vec<u8>]) -> String {
    std::fs::write(file, pcap(pdus)).unwrap();
    let v = run(Command::new("tshark").args([
        "-r",
        file.to_str().unwrap(),
        "-d",
        "udp.port==2055,cflow",
        "-V",
    ]));
    for bad in [
        "Malformed",
        "Expert Info (Warning",
        "Expert Info (Error",
        "Unknown",
    ] {
        assert!(!v.contains(bad), "{}: {bad}:\n{v}", file.display());
    }
    v
}

/// The options records, as tshark decodes them: every kind in v9 and IPFIX, after and
/// among flow records, without a malformed field.
#[test]
fn tshark_decodes_options_records() {
    use super::export_options::{iface, name, stats};
    use crate::export::options::{OptionsKind, OptionsRecord};
    if !have("tshark") {
        assert!(
            std::env::var_os("NETFLOW_REQUIRE_DECODERS").is_none_or(|v| v != "1"),
            "NETFLOW_REQUIRE_DECODERS=1 and tshark is not installed"
        );
        eprintln!("SKIP: tshark not installed");
        return;
    }
    let dir = tmpdir("options");
    for proto in [Protocol::V9, Protocol::Ipfix] {
        let mut w = PduWriter::new(proto, 7);
        let (s, n, i) = (stats(), name(), iface());
        for kind in [
            OptionsKind::SystemInit,
            OptionsKind::MeteringStatistics,
            OptionsKind::MeteringReliability,
            OptionsKind::ExportingReliability,
        ] {
            let rec = OptionsRecord::System {
                kind,
                stats: &s,
                domain_name: &n,
                now_ms: NOW_UNIX_MS,
            };
            assert_eq!(w.push_options(&rec, &clock()), Push::Added);
        }
        assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
        assert_eq!(
            w.push_options(&OptionsRecord::Interface(&i), &clock()),
            Push::Added
        );
        let pdus = vec![w.finish(&clock()).unwrap().to_vec()];
        let v = tshark_clean(&dir.join(format!("options-{proto:?}.pcap")), &pdus);
        let lines: Vec<&str> = v.lines().map(str::trim).collect();
        let (domain, iface_scope) = if proto == Protocol::V9 {
            ("ScopeSystem: 00000007", "ScopeInterface: 3")
        } else {
            ("Observation Domain Id: 7", "InputInt: 3")
        };
        for want in [
            domain,
            "System Init Time: Nov 14, 2023 22:11:41.500000000 UTC",
            "Observation Domain Name: ipt_NETFLOW 3.0",
            "PacketsExp: 10",
            "FlowsExp: 200",
            "OctetsExp: 30000",
            "Flows: 250",
            "Ignored Packets: 3",
            "Ignored Octets: 300",
            "Not Sent Flows: 4",
            "Not Sent Packets: 40",
            "Not Sent Octets: 4000",
            "EndTime: Nov 14, 2023 22:13:20.500000000 UTC",
            iface_scope,
            "IfName: eth0",
            "IfDescr: uplink",
            "SrcPort: 12345",
        ] {
            assert!(lines.contains(&want), "{proto:?}: no '{want}' in\n{v}");
        }
    }
}

/// Options records are data records of the stream: RFC 7011 numbers IPFIX sequences by
/// every data record, and C ipt_NETFLOW counts them too. tshark's sequence analysis agrees
/// when they sit among flow records, alone in a PDU or first (and flags a PDU whose number
/// is off by one); nfdump 1.7 does not number them, so the VM tests check IPFIX sequences
/// with tshark (tests/lib.sh). v9 numbers PDUs: nfdump checks it too.
#[test]
fn sequence_with_options_records() {
    use super::export_options::{name, stats};
    use crate::export::options::{OptionsKind, OptionsRecord};
    let (tshark, nfdump) = (have("tshark"), have("nfcapd") && have("nfdump"));
    if !(tshark && nfdump) {
        assert!(
            std::env::var_os("NETFLOW_REQUIRE_DECODERS").is_none_or(|v| v != "1"),
            "NETFLOW_REQUIRE_DECODERS=1 and tshark or nfcapd/nfdump is not installed"
        );
        eprintln!("SKIP: tshark or nfcapd/nfdump not installed");
        return;
    }
    let dir = tmpdir("options-seq");
    let sequence_warnings = |file: &Path| {
        let out = run(Command::new("tshark").args([
            "-r",
            file.to_str().unwrap(),
            "-d",
            "udp.port==2055,cflow",
            "-q",
            "-z",
            "expert",
        ]));
        out.lines()
            .filter(|l| l.contains("Unexpected flow sequence"))
            .count()
    };
    for proto in [Protocol::V9, Protocol::Ipfix] {
        let (s, n) = (stats(), name());
        let mut w = PduWriter::new(proto, 7);
        let mut pdus = Vec::new();
        let mut sent = Vec::new();
        let option = |w: &mut PduWriter, kind| {
            let rec = OptionsRecord::System {
                kind,
                stats: &s,
                domain_name: &n,
                now_ms: NOW_UNIX_MS,
            };
            assert_eq!(w.push_options(&rec, &clock()), Push::Added);
        };
        option(&mut w, OptionsKind::SystemInit);
        option(&mut w, OptionsKind::MeteringStatistics);
        for (i, r) in flows().iter().take(12).enumerate() {
            assert_eq!(w.push(r, &clock()), Push::Added);
            sent.push(*r);
            match i {
                3 => pdus.push(w.finish(&clock()).unwrap().to_vec()),
                6 => {
                    pdus.push(w.finish(&clock()).unwrap().to_vec());
                    option(&mut w, OptionsKind::MeteringStatistics);
                    pdus.push(w.finish(&clock()).unwrap().to_vec());
                }
                9 => option(&mut w, OptionsKind::SystemInit),
                _ => {}
            }
        }
        pdus.push(w.finish(&clock()).unwrap().to_vec());
        let file = dir.join(format!("seq-{proto:?}.pcap"));
        std::fs::write(&file, pcap(&pdus)).unwrap();
        assert_eq!(sequence_warnings(&file), 0, "{proto:?}: tshark");
        // The second PDU numbered one more than it should be: tshark tells.
        let mut bad = pdus.clone();
        let at = if proto == Protocol::V9 { 12 } else { 8 };
        let seq = u32::from_be_bytes(bad[1][at..at + 4].try_into().unwrap());
        bad[1][at..at + 4].copy_from_slice(&(seq + 1).to_be_bytes());
        let file = dir.join(format!("seq-bad-{proto:?}.pcap"));
        std::fs::write(&file, pcap(&bad)).unwrap();
        assert!(
            sequence_warnings(&file) >= 1,
            "{proto:?}: tshark misses a jump"
        );
        if proto == Protocol::V9 {
            check_nfdump(proto, &dir, &pdus, &sent);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sampler as tshark decodes it: v9's sampler options (48, 49, 50) and samplerId in
/// a data record; IPFIX's selector options (RFC 7014: systematic with flow interval and
/// spacing, random with size and population, hash told as random) with their statistics,
/// and selectorId in a data record.
#[test]
fn tshark_decodes_sampler_options() {
    use super::export_options::{name, stats};
    use crate::export::options::{OptionsKind, OptionsRecord};
    use crate::flow::sampling::{Mode, Sampler};
    if !have("tshark") {
        assert!(
            std::env::var_os("NETFLOW_REQUIRE_DECODERS").is_none_or(|v| v != "1"),
            "NETFLOW_REQUIRE_DECODERS=1 and tshark is not installed"
        );
        eprintln!("SKIP: tshark not installed");
        return;
    }
    let dir = tmpdir("sampler");
    let cases: [(Protocol, Mode, &[OptionsKind], &[&str]); 3] = [
        (
            Protocol::V9,
            Mode::Random,
            &[OptionsKind::Sampler],
            &[
                "SamplerID: 2",
                "SamplerMode: Random (2)",
                "SamplerRandomInterval: 100",
            ],
        ),
        (
            Protocol::Ipfix,
            Mode::Deterministic,
            &[
                OptionsKind::SelectorSystematic,
                OptionsKind::SelectorStatistics,
            ],
            &[
                "Selector Id: 1",
                "Flow_Selector_Algorithm: 1",
                "Sampling_Flow_Interval: 1",
                "Sampling_Flow_Spacing: 99",
                "Selectorid_Total_Flows_Observed: 1000",
                "Selectorid_Total_Flows_Selected: 10",
                "Selector Id Total Pkts Observed: 5000",
                "Selector Id Total Pkts Selected: 50",
            ],
        ),
        (
            Protocol::Ipfix,
            Mode::Hash,
            &[
                OptionsKind::SelectorRandom,
                OptionsKind::SelectorStatisticsHash,
            ],
            &[
                "Selector Id: 3",
                "Flow_Selector_Algorithm: 3",
                "Sampling Size: 1",
                "Sampling Population: 100",
                "Selectorid_Total_Flows_Selected: 10",
                "Selector Id Total Pkts Observed: 5000",
            ],
        ),
    ];
    for (proto, mode, kinds, wants) in cases {
        let sampler = Sampler::new(mode, 100).unwrap();
        let s = Statistics {
            sampler: Some(sampler),
            sampled_flows_observed: 1000,
            sampled_flows_selected: 10,
            sampled_packets_observed: 5000,
            sampled_packets_selected: 50,
            ..stats()
        };
        let n = name();
        let mut w = PduWriter::new(proto, 7);
        for &kind in kinds {
            let rec = OptionsRecord::System {
                kind,
                stats: &s,
                domain_name: &n,
                now_ms: NOW_UNIX_MS,
            };
            assert_eq!(w.push_options(&rec, &clock()), Push::Added, "{kind:?}");
        }
        let mut r = rec_a();
        r.sampler_id = mode as u8;
        assert_eq!(w.push(&r, &clock()), Push::Added);
        let pdus = vec![w.finish(&clock()).unwrap().to_vec()];
        let v = tshark_clean(&dir.join(format!("sampler-{proto:?}-{mode:?}.pcap")), &pdus);
        let lines: Vec<&str> = v.lines().map(str::trim).collect();
        for want in wants {
            assert!(
                lines.contains(want),
                "{proto:?} {mode:?}: no '{want}' in\n{v}"
            );
        }
        // The data record names the sampler that kept it.
        let id = if proto == Protocol::V9 {
            "SamplerID"
        } else {
            "Selector Id"
        };
        let in_flow = format!("{id}: {}", mode as u8);
        assert!(
            lines.iter().filter(|l| **l == in_flow).count() >= 2,
            "{proto:?} {mode:?}: the flow record has no {in_flow}:\n{v}"
        );
    }
}
