//! Runs one action over many targets with bounded concurrency; one outcome per
//! target, in input order, and one failure never stops the rest.

use futures::{StreamExt, stream};

use crate::api::TargetOutcome;

pub async fn run_bounded<T, F, Fut>(
    targets: Vec<T>,
    concurrency: usize,
    action: F,
) -> Vec<TargetOutcome>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = TargetOutcome>,
{
    stream::iter(targets)
        .map(action)
        .buffered(concurrency.max(1))
        .collect()
        .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn keeps_order_and_bounds_concurrency() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let targets: Vec<u64> = (0..20).collect();
        let outcomes = run_bounded(targets, 3, |n| {
            let (in_flight, peak) = (in_flight.clone(), peak.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20 - n)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                TargetOutcome::ok(n.to_string(), None)
            }
        })
        .await;
        let order: Vec<String> = outcomes.into_iter().map(|o| o.target).collect();
        assert_eq!(order, (0..20).map(|n| n.to_string()).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
