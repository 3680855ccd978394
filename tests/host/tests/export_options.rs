// SPDX-License-Identifier: GPL-2.0

//! Options templates and records: their layout in v9 and IPFIX, their values, and the
//! schedule that paces them.

use super::encode_util::*;
use crate::export::ipfix::IpfixWriter;
use crate::export::options::{
    Interface, OptionsKind, OptionsRecord, Schedule, Statistics, DOMAIN_NAME_LEN,
    FIRST_OPTIONS_TEMPLATE_ID, INTERFACES_PER_RUN, INTERFACE_INTERVAL_MS, MAX_INTERFACES,
    STATISTICS_INTERVAL_MS, SYSTEM_INIT_INTERVAL_MS,
};
use crate::export::pdu::Push;
use crate::export::templates::Dialect;
use crate::export::v9::V9Writer;
use std::collections::BTreeMap;

pub fn stats() -> Statistics {
    Statistics {
        domain: 7,
        init_ms: BOOT_MS + 1000,
        messages: 10,
        flow_records: 200,
        octets: 30_000,
        observed_flows: 250,
        ignored_packets: 3,
        ignored_octets: 300,
        lost_flows: 4,
        lost_packets: 40,
        lost_octets: 4000,
        ..Statistics::default()
    }
}

pub fn name() -> [u8; DOMAIN_NAME_LEN] {
    let mut n = [0; DOMAIN_NAME_LEN];
    n[..15].copy_from_slice(b"ipt_NETFLOW 3.0");
    n
}

pub fn iface() -> Interface {
    let mut i = Interface {
        index: 3,
        name: [0; 16],
        description: [0; 64],
    };
    i.name[..4].copy_from_slice(b"eth0");
    i.description[..6].copy_from_slice(b"uplink");
    i
}

fn system(kind: OptionsKind, s: &Statistics, n: &[u8; DOMAIN_NAME_LEN]) -> OptionsRecord<'static> {
    // Leaked for the 'static the helper returns: a test process.
    let s: &'static Statistics = Box::leak(Box::new(*s));
    let n: &'static [u8; DOMAIN_NAME_LEN] = Box::leak(Box::new(*n));
    OptionsRecord::System {
        kind,
        stats: s,
        domain_name: n,
        now_ms: NOW_UNIX_MS,
    }
}

#[test]
fn v9_options_template_layout() {
    let mut w = V9Writer::new(7);
    assert_eq!(
        w.push_options(
            &system(OptionsKind::SystemInit, &stats(), &name()),
            &clock()
        ),
        Push::Added
    );
    let i = iface();
    assert_eq!(
        w.push_options(&OptionsRecord::Interface(&i), &clock()),
        Push::Added
    );
    let p = w.finish(&clock()).unwrap().to_vec();
    // flowset 1: ID 1024, scope 4 bytes, options 8 bytes; System scope (1) of 4 bytes,
    // 160/8, 300/64: 22 bytes, padded to 24
    let s = set_offsets(&p, 20);
    assert_eq!((s[0].1, s[0].2), (1, 24));
    assert_eq!(
        &p[s[0].0..s[0].0 + 24],
        &[0, 1, 0, 24, 0x04, 0x00, 0, 4, 0, 8, 0, 1, 0, 4, 0, 160, 0, 8, 1, 44, 0, 64, 0, 0,]
    );
    let d = decode(&p, 20, 0, &mut BTreeMap::new());
    assert_eq!(d.options_templates.len(), 2);
    // the interface table is scoped by the interface (v9 scope type 2)
    assert_eq!(
        d.options_templates[1],
        (1028, vec![(2, 4), (82, 16), (83, 64)])
    );
    assert_eq!(be16(&p, 2), 4, "count: 2 templates + 2 records");
    let (sys, ifr) = (&d.records[0].1, &d.records[1].1);
    assert_eq!(num(sys, 1), 7, "system scope: the source id");
    assert_eq!(num(sys, 160), BOOT_MS + 1000);
    assert_eq!(&bytes(sys, 300)[..15], b"ipt_NETFLOW 3.0");
    assert_eq!(num(ifr, 2), 3);
    assert_eq!(&bytes(ifr, 82)[..5], b"eth0\0");
    assert_eq!(&bytes(ifr, 83)[..7], b"uplink\0");
}

#[test]
fn ipfix_options_records_and_values() {
    let mut w = IpfixWriter::new(7);
    for kind in [
        OptionsKind::SystemInit,
        OptionsKind::MeteringStatistics,
        OptionsKind::MeteringReliability,
        OptionsKind::ExportingReliability,
    ] {
        assert_eq!(
            w.push_options(&system(kind, &stats(), &name()), &clock()),
            Push::Added
        );
    }
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap().to_vec();
    let d = decode(&p, 16, 2, &mut BTreeMap::new());
    let ids: Vec<u16> = d.options_templates.iter().map(|t| t.0).collect();
    assert_eq!(
        ids,
        (0..4)
            .map(|k| FIRST_OPTIONS_TEMPLATE_ID + k)
            .collect::<Vec<_>>()
    );
    assert_eq!(d.options_templates[0].1, [(149, 4), (160, 8), (300, 64)]);
    assert_eq!(
        d.options_templates[3].1[0],
        (144, 4),
        "exportingProcessId scope"
    );
    let r: Vec<&Fields> = d.records.iter().map(|r| &r.1).collect();
    assert_eq!((num(r[0], 149), num(r[0], 160)), (7, BOOT_MS + 1000));
    assert_eq!(
        [num(r[1], 41), num(r[1], 42), num(r[1], 40), num(r[1], 163)],
        [10, 200, 30_000, 250]
    );
    assert_eq!(
        [
            num(r[2], 164),
            num(r[2], 165),
            num(r[2], 152),
            num(r[2], 153)
        ],
        [3, 300, BOOT_MS + 1000, NOW_UNIX_MS]
    );
    assert_eq!(
        [num(r[3], 166), num(r[3], 167), num(r[3], 168)],
        [4, 40, 4000]
    );
    assert_eq!(num(r[4], 7), 12345, "the flow record after them");
    // options records are data records: the next message's sequence counts them
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_eq!(be32(w.finish(&clock()).unwrap(), 8), 5);
    // the options templates are not sent again until a refresh
    let mut w2 = IpfixWriter::new(7);
    w2.set_template_rates(0, 0);
    for _ in 0..2 {
        assert_eq!(
            w2.push_options(
                &system(OptionsKind::SystemInit, &stats(), &name()),
                &clock()
            ),
            Push::Added
        );
    }
    assert_eq!(
        sets(w2.finish(&clock()).unwrap(), 16)
            .iter()
            .map(|s| s.0)
            .collect::<Vec<_>>(),
        [3, 1024]
    );
    assert_eq!(
        w2.push_options(
            &system(OptionsKind::SystemInit, &stats(), &name()),
            &clock()
        ),
        Push::Added
    );
    assert_eq!(
        sets(w2.finish(&clock()).unwrap(), 16)
            .iter()
            .map(|s| s.0)
            .collect::<Vec<_>>(),
        [1024]
    );
    w2.resend_templates();
    assert_eq!(
        w2.push_options(
            &system(OptionsKind::SystemInit, &stats(), &name()),
            &clock()
        ),
        Push::Added
    );
    assert_eq!(
        sets(w2.finish(&clock()).unwrap(), 16)
            .iter()
            .map(|s| s.0)
            .collect::<Vec<_>>(),
        [3, 1024]
    );
}

#[test]
fn many_interfaces_fill_pdus_without_loss() {
    let mut w = V9Writer::new(0);
    let i = iface();
    let mut n = 0;
    while w.push_options(&OptionsRecord::Interface(&i), &clock()) == Push::Added {
        n += 1;
    }
    // 20 + 24 (template, padded) + 4 + n * 84 <= 1400
    assert_eq!(n, 16);
    assert!(w.finish(&clock()).unwrap().len() <= 1400);
}

#[test]
fn schedule_intervals() {
    let mut s = Schedule::new();
    let st = stats();
    let kinds = |s: &mut Schedule, t: u64, st: &Statistics| {
        s.due_system(t, st, Dialect::Ipfix)
            .iter()
            .collect::<Vec<_>>()
    };
    use OptionsKind::*;
    assert_eq!(
        kinds(&mut s, 1000, &st),
        [
            SystemInit,
            MeteringStatistics,
            MeteringReliability,
            ExportingReliability
        ]
    );
    assert_eq!(kinds(&mut s, 2000, &st), []);
    assert_eq!(
        kinds(&mut s, 1000 + STATISTICS_INTERVAL_MS, &st),
        [
            MeteringStatistics,
            MeteringReliability,
            ExportingReliability
        ]
    );
    assert_eq!(
        kinds(&mut s, 1000 + SYSTEM_INIT_INTERVAL_MS, &st)[0],
        SystemInit
    );
    // nothing dropped or lost: no reliability records
    let mut s = Schedule::new();
    let quiet = Statistics {
        ignored_packets: 0,
        lost_flows: 0,
        ..st
    };
    assert_eq!(kinds(&mut s, 0, &quiet), [SystemInit, MeteringStatistics]);
    s.refresh();
    assert_eq!(kinds(&mut s, 1, &quiet), [SystemInit, MeteringStatistics]);
    // once a second at most
    assert!(s.run_due(5000));
    assert!(!s.run_due(5999));
    assert!(s.run_due(6000));
}

#[test]
fn interfaces_are_paced_and_each_gets_its_turn() {
    let mut s = Schedule::new();
    for i in [0, 5, 5, 6, 0] {
        s.saw_interface(i);
    }
    assert_eq!(s.interfaces(), 2, "0 is no interface; repeats are one");
    for i in 7..27 {
        s.saw_interface(i);
    }
    let mut out = [0u32; INTERFACES_PER_RUN];
    let mut seen = Vec::new();
    let mut runs = 0;
    loop {
        let n = s.due_interfaces(10_000, &mut out);
        if n == 0 {
            break;
        }
        assert!(n <= INTERFACES_PER_RUN);
        seen.extend_from_slice(&out[..n]);
        runs += 1;
    }
    seen.sort();
    assert_eq!(seen, [5, 6].into_iter().chain(7..27).collect::<Vec<_>>());
    assert_eq!(runs, 3, "22 interfaces at 8 per run");
    // described again after the interval, not before
    assert_eq!(
        s.due_interfaces(10_000 + INTERFACE_INTERVAL_MS - 1, &mut out),
        0
    );
    assert_eq!(
        s.due_interfaces(10_000 + INTERFACE_INTERVAL_MS, &mut out),
        INTERFACES_PER_RUN
    );
    // a full table counts what it cannot follow
    let mut s = Schedule::new();
    for i in 1..=(MAX_INTERFACES as u32 + 10) {
        s.saw_interface(i);
    }
    assert_eq!((s.interfaces(), s.untracked), (MAX_INTERFACES, 10));
}
