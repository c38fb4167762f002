//! A response that goes on for as long as the client listens (a live stream) takes its
//! connection's socket from hyper once its head is written, and writes the rest itself.
//!
//! hyper keeps a read and a write buffer of 8 KiB and its dispatcher's state for each
//! connection for as long as it lives; an open stream needs none of them. So such a
//! response is sent as HTTP/1.0, delimited by closing the connection: hyper writes the
//! head, sees the (empty) body end, and closes, which here hands the socket over instead
//! (`Tracked::poll_shutdown`). The connection's task then runs what the response asked to
//! do with it, still holding the connection's slot under the cap.

use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
};

use tokio::net::TcpStream;

/// What a response does with the socket once hyper has written its head.
type Then = Box<dyn FnOnce(TcpStream) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// One connection's offer of its socket: in every request's extensions, so a handler can
/// take it; the server looks at it when hyper is done with the connection.
#[derive(Clone, Default)]
pub struct Handoff(Arc<Mutex<Parts>>);

#[derive(Default)]
struct Parts {
    then: Option<Then>,
    socket: Option<TcpStream>,
}

impl Handoff {
    /// After this response's head, `then` gets the socket. The response must be one hyper
    /// ends by closing the connection: see [`crate::server::handoff`].
    pub fn take_over<F>(&self, then: impl FnOnce(TcpStream) -> F + Send + 'static)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.parts().then = Some(Box::new(move |socket| Box::pin(then(socket))));
    }

    /// Whether a response asked for the socket.
    pub(super) fn wanted(&self) -> bool {
        self.parts().then.is_some()
    }

    /// hyper closed the connection after a response that asked for the socket.
    pub(super) fn give(&self, socket: TcpStream) {
        self.parts().socket = Some(socket);
    }

    /// What to run once hyper is done with the connection, if a response asked for it.
    pub(super) fn take(&self) -> Option<impl Future<Output = ()> + Send + 'static> {
        let mut parts = self.parts();
        let socket = parts.socket.take()?;
        let then = parts.then.take()?;
        Some(then(socket))
    }

    fn parts(&self) -> std::sync::MutexGuard<'_, Parts> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
