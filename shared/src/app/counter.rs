//! The counter (R-DESK-1, R-DESK-2, R-ACCT-2): registering patrons, temporary passwords, the
//! catalog, checkout, and check-in that fills holds.

use super::calendar::with_calendar;
use super::{
    blocking, commit, commit_outcome, committed, first_in_line, follow_up, until_committed,
    Account, App, Attempt,
};
use crate::credentials::{generate_temporary_password, hash_password};
use crate::domain::circulation::{self, CheckOutRefusal, CheckedOut, Day, LoanTerms, Returned};
use crate::domain::patron;
use crate::domain::types::{
    AuthorName, AuthorReading, Barcode, BibId, CardNumber, EntryId, LoanId, PatronName, Subjects,
    TitleName, TitleReading,
};
use crate::domain::{Changes, Hold, Key, Patron, PhysicalCopy, Record, Title};
use crate::error::Error;
use crate::ports::Commit;
use chrono::NaiveDate;

pub async fn register_patron(
    app: &App,
    card: CardNumber,
    name: PatronName,
    ebook_eligible: bool,
) -> Result<Patron, Error> {
    let patron = Patron::register(card, name.into_string(), ebook_eligible, app.clock.now());
    match commit(app, Changes::none().create(patron.clone())).await? {
        Commit::Done(_) => Ok(patron),
        Commit::LostRace => Err(Error::PatronExists),
    }
}

/// R-ACCT-2: a new temporary password, shown once. It ends every session and lifts a lock.
pub async fn issue_temporary_password(app: &App, card: &CardNumber) -> Result<String, Error> {
    let plain = generate_temporary_password();
    let p2 = plain.clone();
    let hash = blocking(move || hash_password(&p2)).await?;
    let now = app.clock.now();
    let keys = [Key::Patron(card.clone()), Key::LoginGuard(card.clone())];
    until_committed(|| async {
        let (mut p, mut guard) = (None, None);
        for r in app.store.get_many(&keys).await? {
            match r {
                Record::Patron(x) => p = Some(x),
                Record::LoginGuard(x) => guard = Some(x),
                _ => {}
            }
        }
        let p = p.ok_or(Error::PatronNotFound)?;
        let outcome =
            patron::issue_temporary_password(&p, guard.as_ref(), hash.clone(), now, app.policy());
        Ok(committed(super::commit(app, outcome.changes).await?, ()))
    })
    .await?;
    Ok(plain)
}

/// POST /api/staff/titles without readings.
pub async fn add_title(
    app: &App,
    bib: BibId,
    title: TitleName,
    author: AuthorName,
    subjects: Subjects,
) -> Result<Title, Error> {
    add_title_read_as(app, bib, title, author, subjects, Readings::default()).await
}

/// A title's readings in kana, for search (R-FIND-1).
#[derive(Debug, Clone, Default)]
pub struct Readings {
    pub title: TitleReading,
    pub author: AuthorReading,
}

/// POST /api/staff/titles (R-DESK-1). The title is findable once this returns (R-FIND-2): it
/// is committed, then indexed. If the indexing fails part way, the title stays marked as
/// waiting for it and the `search-index` run finishes it.
pub async fn add_title_read_as(
    app: &App,
    bib: BibId,
    title: TitleName,
    author: AuthorName,
    subjects: Subjects,
    readings: Readings,
) -> Result<Title, Error> {
    let t = Title::catalogue(
        bib,
        title.into_string(),
        author.into_string(),
        subjects.into_strings(),
        app.clock.now(),
    )
    .read_as(readings.title.into_string(), readings.author.into_string());
    let written = match commit(app, Changes::none().create(t.clone())).await? {
        Commit::Done(w) => w,
        Commit::LostRace => return Err(Error::TitleExists),
    };
    let t = written
        .into_records()
        .into_iter()
        .find_map(crate::domain::Record::into_title)
        .unwrap_or(t);
    super::search::index_title(app, &t).await?;
    Ok(t)
}

/// POST /api/staff/copies. A new copy of a title with waiting holds goes to the first of them.
pub async fn add_copy(app: &App, barcode: Barcode, bib: BibId) -> Result<PhysicalCopy, Error> {
    let (value, follow_ups) = until_committed(|| async {
        let (records, calendar) = with_calendar(app, vec![Key::Title(bib.clone())]).await?;
        let title = records
            .into_iter()
            .find_map(Record::into_title)
            .ok_or(Error::TitleNotFound)?;
        if app.store.copy(&barcode).await?.is_some() {
            return Err(Error::CopyExists);
        }
        let Attempt::Done(next) = first_in_line(app, &title).await? else {
            return Ok(Attempt::LostRace);
        };
        let day = Day {
            today: app.clock.today(),
            calendar: &calendar,
        };
        let outcome =
            circulation::add_copy(&title, barcode.clone(), next.as_ref(), day, app.policy())?;
        commit_outcome(app, outcome).await
    })
    .await?;
    follow_up(app, follow_ups).await;
    Ok(value)
}

/// POST /api/staff/checkouts: a 14-day loan (to the next open day, R-CAL-1), or an
/// interlibrary loan with its own due date.
pub async fn check_out(
    app: &App,
    card: &CardNumber,
    barcode: &Barcode,
    interlibrary_due: Option<NaiveDate>,
) -> Result<CheckedOut, Error> {
    let today = app.clock.today();
    let horizon = today + chrono::Days::new(app.policy().interlibrary_due_max_days.into());
    if interlibrary_due.is_some_and(|d| d > horizon) {
        // A due date the other library would never set (a typo such as 9999): refused before
        // anything is read, like any other value out of range.
        return Err(Error::InvalidRequest(format!(
            "interlibrary_due_date must be within {} days",
            app.policy().interlibrary_due_max_days
        )));
    }
    let (value, follow_ups) = until_committed(|| async {
        let account = Account::load(app.store.as_ref(), card)
            .await?
            .ok_or(Error::PatronNotFound)?;
        let copy = app.store.copy(barcode).await?.ok_or(Error::CopyNotFound)?;
        let (records, calendar) = with_calendar(app, vec![Key::Title(copy.bib_id.clone())]).await?;
        let title = records
            .into_iter()
            .find_map(Record::into_title)
            .ok_or(Error::TitleNotFound)?;
        let terms = LoanTerms {
            loan_id: LoanId::generate(),
            today,
            interlibrary_due,
        };
        let outcome = match circulation::check_out(
            &account.patron,
            &account.holds,
            &copy,
            &title,
            terms,
            &calendar,
            app.policy(),
        ) {
            Err(CheckOutRefusal::StaleRead) => return Ok(Attempt::LostRace),
            other => other?,
        };
        commit_outcome(app, outcome).await
    })
    .await?;
    follow_up(app, follow_ups).await;
    Ok(value)
}

/// POST /api/staff/checkins: closes the loan; the copy goes to the first waiting hold of its
/// title (R-DESK-2) or back to the shelf. Two check-ins racing for one queue each re-read
/// the queue after a lost race, so a copy goes to exactly one hold and a hold gets one copy.
/// The title, the loan, its patron (for the reading history, R-HIST-1) and the calendar (for
/// a pickup deadline, R-CAL-1) are read in one round trip.
pub async fn check_in(app: &App, barcode: &Barcode) -> Result<Option<Hold>, Error> {
    let today = app.clock.today();
    let (value, follow_ups) = until_committed(|| async {
        let copy = app.store.copy(barcode).await?.ok_or(Error::CopyNotFound)?;
        let crate::domain::CopyState::OnLoan {
            card_number,
            loan_id,
        } = copy.state().clone()
        else {
            return Err(Error::NotCheckedOut);
        };
        let keys = vec![
            Key::Title(copy.bib_id.clone()),
            Key::Loan(card_number.clone(), loan_id),
            Key::Patron(card_number),
        ];
        let (records, calendar) = with_calendar(app, keys).await?;
        let (mut title, mut loan, mut borrower) = (None, None, None);
        for r in records {
            match r {
                Record::Title(t) => title = Some(t),
                Record::Loan(l) => loan = Some(l),
                Record::Patron(p) => borrower = Some(p),
                _ => {}
            }
        }
        let title = title.ok_or(Error::TitleNotFound)?;
        let Attempt::Done(next) = first_in_line(app, &title).await? else {
            return Ok(Attempt::LostRace);
        };
        let returned = Returned {
            loan: loan.as_ref(),
            borrower: borrower.as_ref(),
            entry_id: EntryId::generate(app.clock.now()),
        };
        let day = Day {
            today,
            calendar: &calendar,
        };
        let outcome =
            circulation::check_in(&copy, &title, returned, next.as_ref(), day, app.policy())?;
        commit_outcome(app, outcome).await
    })
    .await?;
    follow_up(app, follow_ups).await;
    Ok(value)
}
