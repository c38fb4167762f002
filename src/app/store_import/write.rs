//! The second pass: checked rows written a batch at a time, each change audited and said
//! per line ("line 7: 4711: admin_email a@x → b@x").

use std::{collections::HashMap, io::Write};

use super::{
    Summary,
    partners::{Named, Partners},
};
use crate::store::{
    self, Tx,
    stores::{NewStore, Store},
};

/// One field an import changes on an existing store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// What `new` changes on the stored `old` (the product is never among them: an import
/// refuses a row that would change it).
pub fn changes(old: &Store, new: &NewStore, partner: &Named, partners: &Partners) -> Vec<Change> {
    let new_partner = match partner {
        Named::Nobody => (None, String::new()),
        Named::Known(id) => (Some(*id), partners.name(Some(*id))),
        Named::New(name) => (None, name.clone()),
    };
    let partner_changed = match partner {
        Named::New(_) => true,
        _ => old.partner_id != new_partner.0,
    };
    let fields = [
        (
            "admin_email",
            old.admin_email.clone(),
            new.admin_email.clone(),
        ),
        ("name", old.name.clone(), new.name.clone()),
        ("platform", old.platform.clone(), new.platform.clone()),
        ("store_url", old.store_url.clone(), new.store_url.clone()),
        ("countries", old.countries.clone(), new.countries.join(";")),
    ];
    // A capability the file leaves empty keeps what is stored.
    let (was, will) = (
        old.legacy_capabilities(),
        old.legacy_capabilities().updated_by(&new.capabilities),
    );
    let flag = |v: Option<bool>| v.map_or("", |v| if v { "yes" } else { "no" }).to_owned();
    let capabilities = [
        ("recurring", flag(was.recurring), flag(will.recurring)),
        ("b2b", flag(was.b2b), flag(will.b2b)),
        (
            "payment_methods",
            was.methods_field().unwrap_or_default(),
            will.methods_field().unwrap_or_default(),
        ),
    ];
    let mut list: Vec<Change> = fields
        .into_iter()
        .chain(capabilities)
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| Change { field, old, new })
        .collect();
    if partner_changed {
        list.push(Change {
            field: "partner",
            old: partners.name(old.partner_id),
            new: new_partner.1,
        });
    }
    list
}

/// Writes checked rows; what it does is said on `out` and counted in `summary`.
pub struct Writer<'a> {
    pub partners: &'a mut Partners,
    pub out: &'a mut dyn Write,
    pub summary: &'a mut Summary,
    pub update: bool,
    /// When the stores are created, and the first moment they may be reminded.
    pub at: i64,
    pub remind_from: i64,
}

impl Writer<'_> {
    /// Writes one batch in `tx`. A row that no longer passes the checks (the file or the
    /// stores changed since the first pass) is an error, and the caller rolls back.
    pub async fn apply(&mut self, tx: &mut Tx, batch: &[(u64, NewStore)]) -> anyhow::Result<()> {
        let eids: Vec<&str> = batch
            .iter()
            .map(|(_, s)| s.legacy_store_id.as_str())
            .collect();
        let stored: HashMap<String, Store> = store::imports::by_legacy_ids(&mut **tx, &eids)
            .await?
            .into_iter()
            .map(|s| (s.legacy_store_id.clone(), s))
            .collect();
        for (line, s) in batch {
            match stored.get(&s.legacy_store_id) {
                None => self.create(tx, *line, s).await?,
                Some(old) => self.update(tx, *line, old, s).await?,
            }
        }
        Ok(())
    }

    async fn partner(
        &mut self,
        tx: &mut Tx,
        line: u64,
        s: &NewStore,
    ) -> anyhow::Result<Option<i64>> {
        let (id, created) = self.partners.id_for(tx, s.partner.as_deref()).await?;
        if let Some(name) = created {
            writeln!(self.out, "line {line}: partner {name:?} created")?;
            self.summary.partners_created += 1;
        }
        Ok(id)
    }

    async fn create(&mut self, tx: &mut Tx, line: u64, s: &NewStore) -> anyhow::Result<()> {
        let partner = self.partner(tx, line, s).await?;
        store::imports::insert(tx, s, partner, (self.at, self.remind_from)).await?;
        writeln!(
            self.out,
            "line {line}: {}: new store {:?}",
            s.legacy_store_id, s.name
        )?;
        self.summary.created += 1;
        Ok(())
    }

    async fn update(
        &mut self,
        tx: &mut Tx,
        line: u64,
        old: &Store,
        s: &NewStore,
    ) -> anyhow::Result<()> {
        let eid = &s.legacy_store_id;
        let named = self
            .partners
            .find(s.partner.as_deref())
            .map_err(anyhow::Error::msg)?;
        let list = changes(old, s, &named, self.partners);
        if old.product != s.product || (!list.is_empty() && !self.update) {
            anyhow::bail!(
                "line {line}: store {eid} changed since the file was checked; run the import again"
            );
        }
        if list.is_empty() {
            self.summary.unchanged += 1;
            return Ok(());
        }
        let partner = self.partner(tx, line, s).await?;
        store::imports::update(tx, old.id, s, partner).await?;
        for c in &list {
            writeln!(
                self.out,
                "line {line}: {eid}: {} {} → {}",
                c.field,
                shown(&c.old),
                shown(&c.new)
            )?;
            let args = [
                ("field", c.field),
                ("old", c.old.as_str()),
                ("new", c.new.as_str()),
            ];
            let record = store::audit::Record {
                actor: "cli",
                action: "import.changed",
                store_id: Some(old.id),
                args: &args,
                ip: "local",
            };
            store::audit::record(&mut **tx, &record).await?;
        }
        self.summary.updated += 1;
        Ok(())
    }
}

/// An empty value said as such, so "partner  → X" reads "partner (none) → X".
fn shown(value: &str) -> &str {
    if value.is_empty() { "(none)" } else { value }
}
