//! How many reads are worked on at once. Under a burst every accepted request used to start at
//! once and hold its half-built answer while it waited for a database connection between
//! statements, so memory grew with the number of open connections (a home page at 256
//! connections raised the peak by 60–90 MB). Reads now wait in line before any work is done for them;
//! the line is a few times the database pool, so the pool stays busy and throughput is the
//! same. Writes are not held up behind reads: their bodies may arrive slowly, and a slow
//! upload must not keep a place that a read needs.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::Semaphore;

/// Reads worked on at once per database connection.
const READS_PER_CONNECTION: usize = 4;

/// The places of the line, shared by every request.
#[derive(Clone)]
pub struct Reads(Arc<Semaphore>);

impl Reads {
    /// Places for `connections` database connections.
    pub fn for_pool(connections: u32) -> Reads {
        let places = (connections as usize).max(1) * READS_PER_CONNECTION;
        Reads(Arc::new(Semaphore::new(places)))
    }
}

/// Runs a read once a place is free; anything else at once.
pub async fn bound(State(reads): State<Reads>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    // The semaphore is never closed, so a place always comes; if it ever were, the read runs
    // unbounded rather than failing.
    let _place = reads.0.acquire().await.ok();
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use tokio::sync::Notify;
    use tower::ServiceExt;

    use super::*;

    fn request(method: Method, path: &str) -> Request {
        Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .expect("request")
    }

    /// Waits (at most five seconds) until `count` reads have started.
    async fn started_by(started: &AtomicUsize, count: usize) {
        tokio::time::timeout(Duration::from_secs(5), async {
            while started.load(Ordering::SeqCst) < count {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the read started");
    }

    #[tokio::test]
    async fn a_read_waits_for_a_free_place_and_a_write_does_not() {
        let gate = Arc::new(Notify::new());
        let started = Arc::new(AtomicUsize::new(0));
        let slow = {
            let (gate, started) = (gate.clone(), started.clone());
            move || async move {
                started.fetch_add(1, Ordering::SeqCst);
                gate.notified().await;
                "read"
            }
        };
        let app = Router::new()
            .route("/slow", get(slow))
            .route("/write", post(|| async { "written" }))
            .layer(axum::middleware::from_fn_with_state(
                Reads(Arc::new(Semaphore::new(1))),
                bound,
            ));

        let first = tokio::spawn(app.clone().oneshot(request(Method::GET, "/slow")));
        started_by(&started, 1).await;
        let second = tokio::spawn(app.clone().oneshot(request(Method::GET, "/slow")));
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            started.load(Ordering::SeqCst),
            1,
            "the second read waits while the only place is taken"
        );
        let write = tokio::time::timeout(
            Duration::from_secs(5),
            app.clone().oneshot(request(Method::POST, "/write")),
        )
        .await
        .expect("a write does not wait behind reads")
        .expect("response");
        assert_eq!(write.status(), StatusCode::OK);

        gate.notify_one();
        let done = first.await.expect("task").expect("response");
        assert_eq!(done.status(), StatusCode::OK);
        started_by(&started, 2).await;
        gate.notify_one();
        let done = second.await.expect("task").expect("response");
        assert_eq!(done.status(), StatusCode::OK);
    }
}
