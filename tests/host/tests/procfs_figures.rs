// The /proc figures from counters read in any order while other CPUs update them.

use crate::procfs::figures::{days_hours_minutes, ticks_to_ms, Counters, Figures, Fixed2};

fn base() -> Counters {
    Counters {
        packets: 1000,
        bytes: 64_000,
        drop_packets: 10,
        drop_bytes: 640,
        searched: 990,
        found: 900,
        new: 90,
        released_packets: 500,
        released_bytes: 32_000,
        flows: 40,
        flow_size: 96,
        buckets: 1024,
        bucket_size: 8,
    }
}

#[test]
fn consistent_counters() {
    assert_eq!(
        base().figures(),
        Figures {
            in_hash_packets: 490,
            in_hash_bytes: 31_360,
            metric_x100: (990 + 900 + 90) * 100 / 990,
            hash_memory: 8192,
            table_memory: 8192 + 40 * 96,
        }
    );
}

#[test]
fn more_drops_than_packets_seen() {
    // Every packet so far dropped, and the reader saw the drop counter move first.
    let c = Counters {
        packets: 5,
        bytes: 300,
        drop_packets: 6,
        drop_bytes: 360,
        released_packets: 0,
        released_bytes: 0,
        ..base()
    };
    let f = c.figures();
    assert_eq!((f.in_hash_packets, f.in_hash_bytes), (0, 0));
}

#[test]
fn released_more_than_accounted() {
    let c = Counters {
        released_packets: 2000,
        released_bytes: 1 << 40,
        ..base()
    };
    let f = c.figures();
    assert_eq!((f.in_hash_packets, f.in_hash_bytes), (0, 0));
}

#[test]
fn nothing_searched_and_empty_lookups() {
    let c = Counters {
        searched: 0,
        found: 10,
        new: 0,
        ..base()
    };
    assert_eq!(c.figures().metric_x100, 100);
    let c = Counters {
        searched: 0,
        found: 0,
        new: 0,
        ..base()
    };
    assert_eq!(c.figures().metric_x100, 100);
}

#[test]
fn extremes_saturate() {
    let c = Counters {
        packets: u64::MAX,
        bytes: u64::MAX,
        drop_packets: 0,
        drop_bytes: 0,
        searched: u64::MAX,
        found: u64::MAX,
        new: u64::MAX,
        released_packets: 0,
        released_bytes: 0,
        flows: u64::MAX,
        flow_size: u64::MAX,
        buckets: u64::MAX,
        bucket_size: u64::MAX,
    };
    let f = c.figures();
    assert_eq!(f.in_hash_packets, u64::MAX);
    assert_eq!(f.hash_memory, u64::MAX);
    assert_eq!(f.table_memory, u64::MAX);
    let _ = f.metric_x100;
    assert_eq!(Counters::default().figures().in_hash_packets, 0);
}

#[test]
fn random_orders_never_panic() {
    // Any combination of values, as a racing reader may see them.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Mostly small values, sometimes huge ones.
        if x % 7 == 0 {
            x
        } else {
            x % 5000
        }
    };
    for _ in 0..100_000 {
        let c = Counters {
            packets: next(),
            bytes: next(),
            drop_packets: next(),
            drop_bytes: next(),
            searched: next(),
            found: next(),
            new: next(),
            released_packets: next(),
            released_bytes: next(),
            flows: next(),
            flow_size: next(),
            buckets: next(),
            bucket_size: next(),
        };
        let f = c.figures();
        assert!(f.in_hash_packets <= c.packets);
        assert!(f.in_hash_bytes <= c.bytes);
        assert!(f.table_memory >= f.hash_memory);
    }
}

#[test]
fn fixed2_and_times() {
    assert_eq!(Fixed2(0).to_string(), "0.00");
    assert_eq!(Fixed2(105).to_string(), "1.05");
    assert_eq!(Fixed2(u64::MAX).to_string(), "184467440737095516.15");
    assert_eq!(days_hours_minutes(0), (0, 0, 0));
    assert_eq!(days_hours_minutes(90_061), (1, 1, 1));
    assert_eq!(ticks_to_ms(250, 0, 250), 1000);
    assert_eq!(ticks_to_ms(0, 250, 250), 0, "a start after now is 0 ms ago");
    assert_eq!(ticks_to_ms(10, 0, 0), 10_000, "hz 0 is taken as 1");
    assert_eq!(ticks_to_ms(u64::MAX, 0, 1), u64::MAX, "saturates");
}
