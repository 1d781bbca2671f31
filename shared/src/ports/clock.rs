//! Time. Every rule works on the calendar date in Japan, taken from one `Clock`.

use crate::domain::dates::japan_date;
use chrono::{DateTime, NaiveDate, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// "Today" is the Japan-time date at the moment of the request.
    fn today(&self) -> NaiveDate {
        japan_date(self.now())
    }
}
