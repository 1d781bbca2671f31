//! The adapters: one per external system behind each port. AWS ones (DynamoDB, SES,
//! EventBridge Scheduler, SSM) for Lambda; embedded ones (memory store, outbox, local
//! scheduler, pinned clock) for the dev server and the tests.

pub mod clock;
pub mod dynamodb;
pub mod embedded;
pub mod eventbridge;
pub mod local_scheduler;
pub mod outbox;
pub mod ses;
pub mod ssm;

pub use clock::{PinnedClock, SystemClock};
pub use dynamodb::{DynamoStore, TableDesign};
pub use embedded::MemoryStore;
pub use eventbridge::EventBridgeScheduler;
pub use local_scheduler::{LocalScheduler, NoScheduler};
pub use outbox::{NoMailer, Outbox, SentEmail};
pub use ses::SesMailer;

use crate::config::Settings;
use crate::ports::{Clock, Store};
use crate::App;
use std::sync::Arc;

/// The app with the embedded mailer and scheduler, for the dev server and tests, with the
/// handles to read what it sent and scheduled.
pub struct Embedded {
    pub app: App,
    pub outbox: Arc<Outbox>,
    pub scheduler: Arc<LocalScheduler>,
}

pub fn embedded(settings: Settings, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Embedded {
    let outbox = Arc::new(Outbox::new(clock.clone()));
    let scheduler = Arc::new(LocalScheduler::default());
    let app = App {
        store,
        mailer: outbox.clone(),
        scheduler: scheduler.clone(),
        clock,
        settings: Arc::new(settings),
    };
    Embedded {
        app,
        outbox,
        scheduler,
    }
}
