//! The request budget: a token bucket every request of one `Api` draws from, polls and
//! actions alike, so a dashboard stays under the provider's quota. Mutations go first:
//! while one waits for a token, reads take none.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub struct RequestBudget {
    per_sec: f64,
    /// At most one second's worth of requests saved up.
    burst: f64,
    bucket: Mutex<Bucket>,
    urgent_waiting: AtomicUsize,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
}

/// Counts an urgent waiter for as long as it waits (also when its future is dropped).
struct UrgentWaiter<'a>(&'a AtomicUsize);

impl Drop for UrgentWaiter<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl RequestBudget {
    /// `per_sec` must be positive (the config checks it).
    pub fn new(per_sec: f64) -> Self {
        let burst = per_sec.max(1.0);
        RequestBudget {
            per_sec,
            burst,
            bucket: Mutex::new(Bucket {
                tokens: burst,
                refilled: Instant::now(),
            }),
            urgent_waiting: AtomicUsize::new(0),
        }
    }

    pub fn per_sec(&self) -> f64 {
        self.per_sec
    }

    /// Waits for a token. `urgent` (a mutation) is served before any read.
    pub async fn acquire(&self, urgent: bool) {
        let _waiter = urgent.then(|| {
            self.urgent_waiting.fetch_add(1, Ordering::SeqCst);
            UrgentWaiter(&self.urgent_waiting)
        });
        while let Some(wait) = self.try_take(urgent) {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token, or says how long to wait before trying again.
    fn try_take(&self, urgent: bool) -> Option<Duration> {
        let mut bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let earned = now.duration_since(bucket.refilled).as_secs_f64() * self.per_sec;
        bucket.tokens = (bucket.tokens + earned).min(self.burst);
        bucket.refilled = now;
        let may_take = urgent || self.urgent_waiting.load(Ordering::SeqCst) == 0;
        if may_take && bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return None;
        }
        let missing = (1.0 - bucket.tokens).max(0.0);
        // A read held back by a mutation retries after one token's time.
        let wait = if may_take { missing } else { 1.0 }.max(0.001) / self.per_sec;
        Some(Duration::from_secs_f64(wait))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn holds_requests_to_the_rate_after_the_burst() {
        let budget = RequestBudget::new(10.0);
        let started = Instant::now();
        for _ in 0..30 {
            budget.acquire(false).await;
        }
        let took = started.elapsed();
        // 10 from the burst, then 20 at 10 a second.
        assert!(took >= Duration::from_millis(1_990), "{took:?}");
        assert!(took <= Duration::from_millis(2_100), "{took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn mutations_are_served_before_waiting_reads() {
        let budget = Arc::new(RequestBudget::new(2.0));
        budget.acquire(false).await;
        budget.acquire(false).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let spawn = |name: &'static str, urgent: bool| {
            let (budget, order) = (budget.clone(), order.clone());
            tokio::spawn(async move {
                budget.acquire(urgent).await;
                order.lock().expect("lock").push(name);
            })
        };
        let reads: Vec<_> = (0..3).map(|_| spawn("read", false)).collect();
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mutation = spawn("mutation", true);
        mutation.await.expect("joins");
        for read in reads {
            read.await.expect("joins");
        }
        let order = order.lock().expect("lock").clone();
        assert_eq!(order.first(), Some(&"mutation"), "{order:?}");
        assert_eq!(order.len(), 4);
    }
}
