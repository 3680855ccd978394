// The lines of /proc/net/stat/ipt_netflow_flows, in C ipt_NETFLOW 2.6's format.

use crate::export::record::FlowRecord;
use crate::flow::aging::{EndReason, Timeouts};
use crate::flow::attributes::Attributes;
use crate::flow::key::{Family, FlowKey};
use crate::procfs::flow_line::{due_bits, FlowLine, DUE_ACTIVE, DUE_INACTIVE, HEADER};

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut out = [0; 16];
    out[..4].copy_from_slice(&a);
    out
}

fn line(key: FlowKey) -> FlowLine {
    FlowLine {
        number: 7,
        bucket: 0x3a1,
        due: 0,
        record: FlowRecord {
            key,
            out_if: 3,
            next_hop: v4([10, 0, 1, 1]),
            attrs: Attributes {
                ip_options: 0x0100_0000,
                tcp_options: 0x4_0004,
                ..Attributes::default()
            },
            packets: 5,
            bytes: 420,
            first_ms: 0,
            last_ms: 0,
            tcp_flags: 0x12,
            src_mask: 0,
            dst_mask: 0,
            end_reason: EndReason::ForcedEnd,
            sampler_id: 0,
        },
        age: 1520,
        idle: 20,
    }
}

fn udp4() -> FlowKey {
    FlowKey {
        src: v4([10, 0, 0, 1]),
        dst: v4([10, 0, 1, 254]),
        in_if: 2,
        src_port: 1024,
        dst_port: 53,
        protocol: 17,
        tos: 0xb8,
        family: Family::V4,
    }
}

#[test]
fn header_is_c_ipt_netflow_2_6_s() {
    assert_eq!(
        HEADER,
        "# hash a dev:i,o proto src:ip,port dst:ip,port nexthop \
         tos,tcpflags,options,tcpoptions packets bytes ts:first,last\n"
    );
    // As many fields as a line has (the header's '#' stands for the line number).
    let l = line(udp4()).to_string();
    assert_eq!(
        HEADER.split_whitespace().count(),
        l.split_whitespace().count()
    );
}

#[test]
fn ipv4_line() {
    assert_eq!(
        line(udp4()).to_string(),
        "7 03a1 0 2,3 17 10.0.0.1,1024 10.0.1.254,53 10.0.1.1 b8,12,1000000,40004 5 420 1520,20\n"
    );
}

#[test]
fn ipv6_line_is_compressed_like_pi6c() {
    let mut src = [0u8; 16];
    src[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    src[15] = 1;
    let mut dst = src;
    dst[15] = 2;
    let key = FlowKey {
        src,
        dst,
        in_if: 40000,
        src_port: 0,
        dst_port: 128 << 8,
        protocol: 58,
        tos: 0,
        family: Family::V6,
    };
    let mut l = line(key);
    l.bucket = 0x12345;
    l.due = DUE_INACTIVE | DUE_ACTIVE;
    l.record.out_if = 0;
    l.record.next_hop = [0; 16];
    l.record.attrs = Attributes::default();
    l.record.tcp_flags = 0;
    l.record.packets = u64::MAX;
    assert_eq!(
        l.to_string(),
        format!(
            "7 12345 3 40000,0 58 2001:db8::1,0 2001:db8::2,32768 :: 0,0,0,0 {} 420 1520,20\n",
            u64::MAX
        )
    );
}

#[test]
fn due_bits_follow_the_aging_rules() {
    let t = Timeouts {
        inactive: 15,
        active: 100,
    };
    // now, first, last, tcp flags, protocol.
    assert_eq!(due_bits(50, 40, 45, 0, 17, &t, 1), 0);
    assert_eq!(due_bits(60, 40, 45, 0, 17, &t, 1), DUE_INACTIVE);
    assert_eq!(due_bits(140, 40, 139, 0, 17, &t, 1), DUE_ACTIVE);
    assert_eq!(
        due_bits(200, 40, 100, 0, 17, &t, 1),
        DUE_INACTIVE | DUE_ACTIVE
    );
    // A TCP flow that saw FIN is due once its grace has passed, UDP is not.
    assert_eq!(due_bits(50, 40, 45, 0x01, 6, &t, 3), DUE_INACTIVE);
    assert_eq!(due_bits(50, 40, 48, 0x01, 6, &t, 3), 0);
    assert_eq!(due_bits(50, 40, 45, 0x01, 17, &t, 3), 0);
    // Timestamps in the future (a reader racing the packet path) count as age 0.
    assert_eq!(due_bits(10, 40, 45, 0, 17, &t, 1), 0);
}
