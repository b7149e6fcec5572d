//! Kafka's murmur2, the default partitioner, and rack-unaware replica placement.

use alloc::vec::Vec;

/// Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`), as a Java `int`.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h: u32 = SEED ^ (len as u32);
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    match tail.len() {
        3 => {
            h ^= (tail[2] as u32) << 16;
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        2 => {
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        1 => {
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        _ => {}
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`.
pub fn to_positive(x: i32) -> u32 {
    (x & 0x7fff_ffff) as u32
}

/// The partition of a keyed record (the Java client's default partitioner).
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    to_positive(murmur2(key)) % partitions
}

/// Rack-unaware replica placement for brokers `0..brokers`, with a fixed start index (as
/// Kafka's own tests use). Returns the replica list of each partition, leader first.
pub fn assign_replicas(
    brokers: u32,
    partitions: u32,
    rf: u32,
    start_index: u32,
) -> Result<Vec<Vec<u32>>, &'static str> {
    place_replicas(brokers, partitions, rf, start_index, 0)
}

/// The replicas of partition `partition` added to a topic that has `partition` partitions, as
/// `AdminZkClient.createNewPartitionsAssignment` places one new partition: the same rule
/// started afresh at the new partition, from the index of the first replica of partition 0,
/// so the second-replica shift is that index, moved on by one only if the new partition starts
/// a round (it does not carry the shifts of the rounds before, as the topic's creation did).
pub fn added_partition_replicas(
    brokers: u32,
    partition: u32,
    rf: u32,
    first_of_partition_0: u32,
) -> Result<Vec<u32>, &'static str> {
    let mut rows = place_replicas(brokers, 1, rf, first_of_partition_0, partition)?;
    Ok(rows.pop().unwrap_or_default())
}

/// `AdminUtils.assignReplicasToBrokersRackUnaware` with a fixed start index: `count`
/// partitions from `first_partition` on.
fn place_replicas(
    brokers: u32,
    count: u32,
    rf: u32,
    start_index: u32,
    first_partition: u32,
) -> Result<Vec<Vec<u32>>, &'static str> {
    if brokers == 0 {
        return Err("there must be at least one broker");
    }
    if rf == 0 || rf > brokers {
        return Err("the replication factor must be between 1 and the number of brokers");
    }
    let n = u64::from(brokers);
    let start = u64::from(start_index);
    // Not reduced modulo the brokers: Kafka reduces it modulo `brokers - 1` where it is used.
    let mut shift = start;
    let mut out = Vec::with_capacity(count as usize);
    for p in (0..u64::from(count)).map(|i| u64::from(first_partition) + i) {
        if p > 0 && p % n == 0 {
            shift += 1;
        }
        let first = (p + start) % n;
        let mut replicas = Vec::with_capacity(rf as usize);
        replicas.push(first as u32);
        for j in 0..u64::from(rf) - 1 {
            let s = 1 + (shift + j) % (n - 1);
            replicas.push(((first + s) % n) as u32);
        }
        out.push(replicas);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn murmur2_matches_kafkas_utils_test_vectors() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
            (b"abc", 479_470_107),
        ];
        for (data, want) in cases {
            assert_eq!(murmur2(data), want);
        }
        assert_eq!(partition_for_key(b"foobar", 50), 16);
    }

    #[test]
    fn replica_placement_matches_kafkas_admin_test() {
        // AdminUtilsTest.testReplicaAssignment: 5 brokers, 10 partitions, RF 3, start index 0.
        let want = vec![
            vec![0, 1, 2],
            vec![1, 2, 3],
            vec![2, 3, 4],
            vec![3, 4, 0],
            vec![4, 0, 1],
            vec![0, 2, 3],
            vec![1, 3, 4],
            vec![2, 4, 0],
            vec![3, 0, 1],
            vec![4, 1, 2],
        ];
        assert_eq!(assign_replicas(5, 10, 3, 0).unwrap(), want);
        assert!(assign_replicas(3, 1, 4, 0).is_err());
    }

    #[test]
    fn a_start_index_past_the_brokers_shifts_as_kafka_does() {
        // AdminUtils keeps the fixed start index unreduced as the first shift and reduces it
        // modulo brokers - 1 only where it is used: 5 brokers from index 7 shift the second
        // replica by 1 + 7 % 4 = 4, not by 1 + (7 % 5) % 4 = 3.
        assert_eq!(assign_replicas(5, 1, 2, 7).unwrap(), vec![vec![2, 1]]);
        assert_eq!(assign_replicas(5, 1, 2, 2).unwrap(), vec![vec![2, 0]]);
    }

    #[test]
    fn an_added_partition_starts_the_rule_afresh_as_kafka_does() {
        // 5 brokers, RF 3, created with 10 partitions from index 0 (partition 0 on broker 0).
        // Partition 10 starts a round: shift 0 + 1. Partition 11 is placed with shift 0, where a
        // topic created with 12 partitions has carried it to 2 ([1, 4, 0]).
        assert_eq!(added_partition_replicas(5, 10, 3, 0).unwrap(), vec![0, 2, 3]);
        assert_eq!(added_partition_replicas(5, 11, 3, 0).unwrap(), vec![1, 2, 3]);
        assert_eq!(assign_replicas(5, 12, 3, 0).unwrap()[11], vec![1, 4, 0]);
        // Below one round the two agree.
        assert_eq!(added_partition_replicas(5, 3, 3, 0).unwrap(), assign_replicas(5, 4, 3, 0).unwrap()[3]);
        assert!(added_partition_replicas(3, 1, 4, 0).is_err());
    }
}

/// Fraction of `keys` whose partition changes when a topic grows from `from` to `to`
/// partitions (per-key ordering breaks for each of them).
pub fn moved_keys(keys: &[&[u8]], from: u32, to: u32) -> f64 {
    if keys.is_empty() {
        return 0.0;
    }
    let moved = keys.iter().filter(|k| partition_for_key(k, from) != partition_for_key(k, to)).count();
    moved as f64 / keys.len() as f64
}

#[cfg(test)]
mod growth {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    #[test]
    fn growing_a_topic_moves_most_keys() {
        let owned: Vec<String> = (0..10_000).map(|i| format!("user-{i}")).collect();
        let keys: Vec<&[u8]> = owned.iter().map(|k| k.as_bytes()).collect();
        let f = moved_keys(&keys, 6, 7);
        assert!(f > 0.8, "{f}");
        assert!(moved_keys(&keys, 6, 12) > 0.45);
    }
}

/// The producer's partition choice (Kafka's `BuiltInPartitioner` with KIP-480 stickiness): an
/// explicit partition wins; a keyed record goes to `toPositive(murmur2(key)) % partitions`; a
/// record without a key sticks to the current partition until the batch is sent, and the next
/// batch picks another partition at random.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct StickyPartitioner {
    pub current: Option<u32>,
}

impl StickyPartitioner {
    pub fn partition(
        &mut self,
        key: Option<&[u8]>,
        explicit: Option<u32>,
        partitions: u32,
        rng: &mut crate::rng::Rng,
    ) -> u32 {
        if let Some(p) = explicit {
            return p % partitions;
        }
        if let Some(k) = key {
            return partition_for_key(k, partitions);
        }
        match self.current {
            Some(p) if p < partitions => p,
            _ => {
                let p = rng.below(partitions as u64) as u32;
                self.current = Some(p);
                p
            }
        }
    }

    /// The batch was sent: the next unkeyed record starts a batch on a different partition.
    pub fn batch_sent(&mut self, partitions: u32, rng: &mut crate::rng::Rng) {
        if partitions <= 1 {
            self.current = Some(0);
            return;
        }
        let old = self.current.unwrap_or(0);
        let step = 1 + rng.below(partitions as u64 - 1) as u32;
        self.current = Some((old + step) % partitions);
    }
}

#[cfg(test)]
mod sticky {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn unkeyed_records_stick_until_the_batch_is_sent() {
        let mut rng = Rng::new(1);
        let mut s = StickyPartitioner::default();
        let first = s.partition(None, None, 6, &mut rng);
        for _ in 0..10 {
            assert_eq!(s.partition(None, None, 6, &mut rng), first);
        }
        assert_eq!(s.partition(Some(b"foobar"), None, 50, &mut rng), 16, "keys still hash");
        assert_eq!(s.partition(None, Some(4), 6, &mut rng), 4, "an explicit partition wins");
        s.batch_sent(6, &mut rng);
        let second = s.partition(None, None, 6, &mut rng);
        assert_ne!(second, first);
        // Over many batches every partition is used.
        let mut seen = [false; 6];
        for _ in 0..200 {
            seen[s.partition(None, None, 6, &mut rng) as usize] = true;
            s.batch_sent(6, &mut rng);
        }
        assert!(seen.iter().all(|x| *x));
    }
}
