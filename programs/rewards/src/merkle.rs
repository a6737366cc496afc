//! Reward Merkle tree: leaf = sha256(0x00 ‖ node ‖ destination ‖ amount u64 LE ‖ metrics_hash),
//! inner = sha256(0x01 ‖ min(a, b) ‖ max(a, b)) (sorted pairs: a proof is just the siblings).
//! sdk/src/merkle.ts builds the same tree.
use anchor_lang::solana_program::{hash::hashv, pubkey::Pubkey};

use crate::constants::{INNER_PREFIX, LEAF_PREFIX};

pub fn leaf_hash(node: &Pubkey, destination: &Pubkey, amount: u64, metrics_hash: &[u8; 32]) -> [u8; 32] {
    hashv(&[&[LEAF_PREFIX], node.as_ref(), destination.as_ref(), &amount.to_le_bytes(), metrics_hash]).to_bytes()
}

pub fn inner_hash(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    hashv(&[&[INNER_PREFIX], lo, hi]).to_bytes()
}

pub fn verify(proof: &[[u8; 32]], root: &[u8; 32], leaf: [u8; 32]) -> bool {
    proof.iter().fold(leaf, |acc, sibling| inner_hash(&acc, sibling)) == *root
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference tree builder (keepers use sdk/src/merkle.ts): odd nodes are promoted.
    pub fn build(leaves: &[[u8; 32]]) -> (Vec<Vec<[u8; 32]>>, [u8; 32]) {
        let mut levels = vec![leaves.to_vec()];
        while levels.last().unwrap().len() > 1 {
            let prev = levels.last().unwrap();
            let next = prev.chunks(2).map(|c| if c.len() == 2 { inner_hash(&c[0], &c[1]) } else { c[0] }).collect();
            levels.push(next);
        }
        let root = levels.last().unwrap()[0];
        (levels, root)
    }

    pub fn proof(levels: &[Vec<[u8; 32]>], mut i: usize) -> Vec<[u8; 32]> {
        let mut out = vec![];
        for level in &levels[..levels.len() - 1] {
            let sib = i ^ 1;
            if sib < level.len() {
                out.push(level[sib]);
            }
            i /= 2;
        }
        out
    }

    #[test]
    fn known_vector() {
        // Pinned so that sdk/src/merkle.ts can assert the same bytes.
        let leaf = leaf_hash(&Pubkey::new_from_array([1; 32]), &Pubkey::new_from_array([2; 32]), 5, &[3; 32]);
        let inner = inner_hash(&leaf, &[0; 32]);
        assert_eq!(leaf, hashv(&[&[0u8], &[1; 32], &[2; 32], &5u64.to_le_bytes(), &[3; 32]]).to_bytes());
        assert_eq!(inner, hashv(&[&[1u8], &[0; 32], &leaf]).to_bytes());
        let hex = |b: [u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(leaf), "ca89f1932fa21db80840f9506d49166c75005eef0996c894f7b5307eacf5d28a");
        assert_eq!(hex(inner), "7e158c0b0530e0114f511fea2826f4bddff53731e563b3699fdcaa06feab66d3");
    }

    proptest! {
        #[test]
        fn every_proof_verifies_and_tampering_fails(n in 1usize..70, seed in any::<u64>(), pick in any::<usize>()) {
            let keys: Vec<(Pubkey, Pubkey, u64)> = (0..n)
                .map(|i| (Pubkey::new_from_array([(i % 251) as u8 + 1; 32]), Pubkey::new_from_array([(i / 251) as u8; 32]), seed.wrapping_add(i as u64)))
                .collect();
            let leaves: Vec<_> = keys.iter().map(|(a, b, amt)| leaf_hash(a, b, *amt, &[7; 32])).collect();
            let (levels, root) = build(&leaves);
            let i = pick % n;
            let p = proof(&levels, i);
            prop_assert!(verify(&p, &root, leaves[i]));
            let (a, b, amt) = keys[i];
            prop_assert!(!verify(&p, &root, leaf_hash(&a, &b, amt.wrapping_add(1), &[7; 32])));
            prop_assert!(!verify(&p, &root, leaf_hash(&b, &a, amt, &[7; 32])) || a == b);
        }
    }
}
