// The settings table: what every front end (module parameter, sysctl) reads.

use crate::settings::spec::{
    text_of, Kind, Refusal, Refused, Setting, Value, ANY_CPU, IDS, MAX_TEXT, SPECS,
};

fn refusal(id: Setting, value: &[u8]) -> String {
    let why = id.spec().parse(value).expect_err("should be refused");
    Refused { value, why: &why }.to_string()
}

#[test]
fn every_default_is_valid() {
    for spec in &SPECS {
        assert!(
            spec.parse(spec.default.as_bytes()).is_ok(),
            "default of {:?}",
            spec.param
        );
    }
}

#[test]
fn names_are_c_ipt_netflow_names_and_unique() {
    let params: Vec<_> = SPECS.iter().filter_map(|s| s.param).collect();
    let sysctls: Vec<_> = SPECS.iter().filter_map(|s| s.sysctl).collect();
    for want in [
        "destination",
        "protocol",
        "inactive_timeout",
        "active_timeout",
        "refresh_rate",
        "timeout_rate",
        "scan_min",
        "sndbuf",
        "hashsize",
        "maxflows",
        "engine_id",
        "debug",
        "aggregation",
    ] {
        assert!(params.contains(&want), "parameter {want}");
    }
    for want in [
        "destination",
        "protocol",
        "inactive_timeout",
        "active_timeout",
        "refresh-rate",
        "timeout-rate",
        "scan-min",
        "sndbuf",
        "hashsize",
        "maxflows",
        "engine_id",
        "debug",
        "aggregation",
        "flush",
    ] {
        assert!(sysctls.contains(&want), "sysctl {want}");
    }
    let mut p = params.clone();
    p.sort();
    p.dedup();
    assert_eq!(p.len(), params.len());
    let mut s = sysctls.clone();
    s.sort();
    s.dedup();
    assert_eq!(s.len(), sysctls.len());
    assert_eq!(IDS.len(), SPECS.len());
    for (i, id) in IDS.iter().enumerate() {
        assert_eq!(*id as usize, i);
        assert_eq!(Setting::from_index(i), Some(*id));
    }
    assert_eq!(Setting::from_index(IDS.len()), None);
}

#[test]
fn defaults_are_c_ipt_netflow_defaults() {
    let d = |id: Setting| id.spec().default;
    assert_eq!(d(Setting::Destination), "127.0.0.1:2055");
    assert_eq!(d(Setting::Protocol), "5");
    assert_eq!(d(Setting::InactiveTimeout), "15");
    assert_eq!(d(Setting::ActiveTimeout), "1800");
    assert_eq!(d(Setting::RefreshRate), "20");
    assert_eq!(d(Setting::TimeoutRate), "30");
    assert_eq!(d(Setting::ScanMin), "1");
    assert_eq!(d(Setting::Maxflows), "2000000");
    assert_eq!(d(Setting::Hashsize), "0");
    assert_eq!(Setting::Flush.spec().param, None);
}

#[test]
fn numbers_in_range() {
    let ok = |id: Setting, v: &str, want: u64| {
        assert_eq!(
            id.spec().parse(v.as_bytes()),
            Ok(Value::Number(want)),
            "{id:?} {v}"
        )
    };
    ok(Setting::Hashsize, "0", 0);
    ok(Setting::Hashsize, "256", 256);
    ok(Setting::Hashsize, " 1024 ", 1024);
    ok(Setting::Maxflows, "4294967295", u64::from(u32::MAX));
    ok(Setting::Protocol, "10", 10);
    ok(Setting::ScanMin, "1000", 1000);
    ok(Setting::Debug, "3", 3);
    ok(Setting::Flush, "2", 2);
    ok(Setting::Exportcpu, "-1", ANY_CPU);
    ok(Setting::Exportcpu, " -1\n", ANY_CPU);
    ok(Setting::Exportcpu, "0", 0);
    ok(Setting::Exportcpu, "8191", 8191);
    for (id, bad) in [
        (Setting::Hashsize, "255"),
        (Setting::Hashsize, "67108865"),
        (Setting::Maxflows, "4294967296"),
        (Setting::Protocol, "7"),
        (Setting::Protocol, "-1"),
        (Setting::ScanMin, "0"),
        (Setting::InactiveTimeout, "0"),
        (Setting::ActiveTimeout, "2147483649"),
        (Setting::Debug, "4"),
        (Setting::Debug, "1x"),
        (Setting::Sndbuf, "2147483648"),
        (Setting::Flush, "3"),
        (Setting::Exportcpu, "-2"),
        (Setting::Exportcpu, "8192"),
        (Setting::Exportcpu, "- 1"),
        (Setting::Exportcpu, "cpu1"),
        (Setting::Maxflows, "abc"),
        (Setting::Maxflows, ""),
        (Setting::Hashsize, "99999999999999999999"),
    ] {
        assert!(
            id.spec().parse(bad.as_bytes()).is_err(),
            "{id:?} {bad:?} accepted"
        );
    }
}

#[test]
fn refusal_messages() {
    assert_eq!(
        refusal(Setting::Protocol, b"7"),
        "'7' refused: 7 is not one of 5, 9, 10"
    );
    assert_eq!(
        refusal(Setting::Hashsize, b"255"),
        "'255' refused: below the minimum 256"
    );
    assert_eq!(
        refusal(Setting::Debug, b"4"),
        "'4' refused: above the maximum 3"
    );
    assert_eq!(
        refusal(Setting::Maxflows, b"abc"),
        "'abc' refused: not a decimal number"
    );
    assert_eq!(
        refusal(Setting::Destination, b"\xff"),
        "value refused: not UTF-8"
    );
    assert_eq!(
        refusal(Setting::Destination, b"a\0b"),
        "value refused: contains a NUL byte"
    );
    let long = vec![b'1'; MAX_TEXT + 1];
    assert_eq!(
        refusal(Setting::Aggregation, &long),
        "value refused: 1024 bytes, longer than 1023"
    );
    assert!(refusal(Setting::Destination, b"127.0.0.1:65536").contains("bad port"));
    assert!(refusal(Setting::Aggregation, b"10.0.0.0/33=8").contains("prefix length out of range"));
}

#[test]
fn a_long_value_is_quoted_short_and_the_reason_kept() {
    let value: String = (1..=17).map(|i| format!("127.0.0.{i}:2055,")).collect();
    let msg = refusal(Setting::Destination, value.as_bytes());
    assert!(msg.starts_with("'127.0.0.1:2055,127.0.0.2:2055,"), "{msg}");
    assert!(msg.contains("...' refused: destination entry 17"), "{msg}");
    assert!(msg.ends_with("too many destinations (max 16)"), "{msg}");
    assert!(msg.len() < 200, "{} bytes: {msg}", msg.len());
    // Cut on a character boundary.
    let wide = "é".repeat(40);
    let msg = refusal(Setting::Maxflows, wide.as_bytes());
    assert!(
        msg.starts_with(&format!("'{}...' refused:", "é".repeat(32))),
        "{msg}"
    );
}

#[test]
fn a_namespace_limit_says_whose() {
    let why = Refusal::AboveInitial(32768);
    assert_eq!(
        Refused {
            value: b"65536",
            why: &why
        }
        .to_string(),
        "'65536' refused: above the initial namespace's 32768"
    );
}

#[test]
fn text_limits() {
    assert_eq!(text_of(b"abc"), Ok("abc"));
    assert_eq!(text_of(&vec![b'a'; MAX_TEXT]).map(str::len), Ok(MAX_TEXT));
    assert_eq!(
        text_of(&vec![b'a'; MAX_TEXT + 1]),
        Err(Refusal::TooLong(MAX_TEXT + 1))
    );
}

#[test]
fn text_kinds() {
    assert!(matches!(
        Setting::Destination.spec().kind,
        Kind::Destinations
    ));
    assert!(
        matches!(Setting::Destination.spec().parse(b"127.0.0.1:2055,[::1]:9995"), Ok(Value::Destinations(d)) if d.len() == 2)
    );
    assert!(matches!(Setting::Aggregation.spec().parse(b""), Ok(Value::Rules(r)) if r.is_empty()));
}

#[test]
fn the_parameters_c_makes_writable_are_live_and_no_others() {
    let live: Vec<_> = SPECS
        .iter()
        .filter(|s| s.live)
        .filter_map(|s| s.param)
        .collect();
    assert_eq!(
        live,
        [
            "inactive_timeout",
            "active_timeout",
            "refresh_rate",
            "timeout_rate",
            "scan_min",
            "maxflows",
            "engine_id",
            "debug",
            "exportcpu",
        ]
    );
    // A live parameter is one a sysctl changes too, with the same checks.
    for s in SPECS.iter().filter(|s| s.live) {
        assert!(s.sysctl.is_some(), "{:?}", s.param);
    }
}

#[test]
fn exportcpu_is_a_parameter_and_a_sysctl() {
    let s = Setting::Exportcpu.spec();
    assert_eq!(
        (s.param, s.sysctl, s.default),
        (Some("exportcpu"), Some("exportcpu"), "-1")
    );
    assert_eq!(s.kind, Kind::Cpu);
    assert_eq!(
        Refused {
            value: b"7",
            why: &Refusal::CpuOffline(7)
        }
        .to_string(),
        "'7' refused: CPU 7 is not online"
    );
    assert_eq!(
        refusal(Setting::Exportcpu, b"-2"),
        "'-2' refused: not a decimal number"
    );
}
