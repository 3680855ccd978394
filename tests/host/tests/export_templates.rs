// SPDX-License-Identifier: GPL-2.0

//! Per-flow templates: every shape a flow can have fits the registry, gets one ID for
//! good, and a template whose records fit a PDU.

use super::encode_util::*;
use crate::export::pdu::MAX_TEMPLATED_PDU;
use crate::export::record::FlowRecord;
use crate::export::templates::{
    Dialect, Shape, Templates, FIRST_TEMPLATE_ID, MAX_FIELDS, MAX_TEMPLATES,
};
use crate::flow::key::Family;
use std::collections::BTreeSet;

/// Records of every combination of what decides a shape.
fn every_kind_of_flow() -> Vec<FlowRecord> {
    let mut v = Vec::new();
    for fam in [Family::V4, Family::V6] {
        for proto in [6u8, 17, 132, 1, 58, 2, 50, 51, 47, 0] {
            for bits in 0..16u32 {
                let mut r = if fam == Family::V4 { rec_a() } else { rec_b() };
                r.key.protocol = proto;
                (r.src_mask, r.dst_mask) = if bits & 1 != 0 { (8, 0) } else { (0, 0) };
                r.attrs.ip_options = bits >> 1 & 1;
                r.attrs.tcp_options = u64::from(bits >> 2 & 1);
                r.attrs.flow_label = bits >> 3 & 1;
                v.push(r);
            }
        }
    }
    v
}

#[test]
fn every_shape_fits_the_registry_and_keeps_its_id() {
    for dialect in [Dialect::V9, Dialect::Ipfix] {
        let mut t = Templates::new(dialect);
        let flows = every_kind_of_flow();
        let shapes: BTreeSet<_> = flows
            .iter()
            .map(|r| format!("{:?}", Shape::of(r)))
            .collect();
        assert_eq!(shapes.len(), 64, "the count MAX_TEMPLATES' comment gives");
        assert!(shapes.len() <= MAX_TEMPLATES);
        let mut ids = std::collections::BTreeMap::new();
        for r in &flows {
            let tpl = t.get(Shape::of(r)).expect("registry full");
            assert!(
                (FIRST_TEMPLATE_ID..FIRST_TEMPLATE_ID + MAX_TEMPLATES as u16).contains(&tpl.id)
            );
            let fields = tpl.fields;
            assert!(fields.as_slice().len() <= MAX_FIELDS);
            // a template set with one template, and a data set with one record, fit a PDU
            assert!(20 + 4 + fields.template_len() + 4 + fields.record_len() <= MAX_TEMPLATED_PDU);
            let prev = ids.insert(format!("{:?}", Shape::of(r)), tpl.id);
            assert!(prev.is_none() || prev == Some(tpl.id), "one ID per shape");
        }
        let distinct: BTreeSet<_> = ids.values().collect();
        assert_eq!(distinct.len(), shapes.len(), "one shape per ID");
        assert_eq!(t.generated() as usize, shapes.len());
        assert_eq!(t.active() as usize, shapes.len());
    }
}

#[test]
fn fields_are_unique_and_always_carry_the_base() {
    for dialect in [Dialect::V9, Dialect::Ipfix] {
        for r in every_kind_of_flow() {
            let f = Shape::of(&r).fields(dialect);
            let ids: Vec<u16> = f.as_slice().iter().map(|f| f.0).collect();
            let set: BTreeSet<_> = ids.iter().collect();
            assert_eq!(set.len(), ids.len(), "{ids:?}");
            for must in [1, 2, 4, 5, 10, 14, 60] {
                assert!(ids.contains(&must), "{must} missing from {ids:?}");
            }
            let v6 = r.key.family == Family::V6;
            assert!(ids.contains(&if v6 { 62 } else { 15 }), "next hop");
            assert_eq!(ids.contains(&136), dialect == Dialect::Ipfix);
            assert_eq!(ids.contains(&7), matches!(r.key.protocol, 6 | 17 | 132));
            assert_eq!(ids.contains(&31), v6 && r.attrs.flow_label != 0);
            assert_eq!(
                ids.contains(&209),
                r.attrs.tcp_options != 0 && ids.contains(&7)
            );
            assert_eq!(ids.contains(&295), matches!(r.key.protocol, 50 | 51));
            assert_eq!(ids.contains(&33), !v6 && r.key.protocol == 2);
        }
    }
}

#[test]
fn refresh_unannounces_every_template() {
    let mut t = Templates::new(Dialect::Ipfix);
    for r in [rec_a(), rec_b(), rec_icmp()] {
        t.get(Shape::of(&r)).unwrap().announced = true;
    }
    t.refresh();
    for r in [rec_a(), rec_b(), rec_icmp()] {
        assert!(!t.get(Shape::of(&r)).unwrap().announced);
    }
    assert_eq!((t.generated(), t.active()), (3, 3));
}
