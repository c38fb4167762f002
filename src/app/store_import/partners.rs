//! The partners an import's file names, matched as people mean them: without regard to
//! case and spacing, so "baltic  web agency" is the existing "Baltic Web Agency", never a
//! second partner by accident.

use std::collections::HashMap;

use crate::{
    domain::text::{name_key, tidy_spacing},
    store::{self, Db, Tx},
};

/// Every partner, by the key its name matches on.
pub struct Partners {
    by_key: HashMap<String, Vec<(i64, String)>>,
    names: HashMap<i64, String>,
}

/// What a row's `partner` column names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// No partner.
    Nobody,
    /// An existing partner.
    Known(i64),
    /// A partner that does not exist yet, by the name it would be created with.
    New(String),
}

impl Partners {
    pub async fn load(db: &Db) -> sqlx::Result<Self> {
        let mut partners = Self {
            by_key: HashMap::new(),
            names: HashMap::new(),
        };
        for (id, name) in store::imports::partners(&db.pool).await? {
            partners.add(id, name);
        }
        Ok(partners)
    }

    fn add(&mut self, id: i64, name: String) {
        self.by_key
            .entry(name_key(&name))
            .or_default()
            .push((id, name.clone()));
        self.names.insert(id, name);
    }

    /// Which partner `written` means; an error when it could be several (partners
    /// created before names were matched this way may differ in case only).
    pub fn find(&self, written: Option<&str>) -> Result<Named, String> {
        let Some(written) = written else {
            return Ok(Named::Nobody);
        };
        match self.by_key.get(&name_key(written)).map(Vec::as_slice) {
            None | Some([]) => Ok(Named::New(tidy_spacing(written))),
            Some([(id, _)]) => Ok(Named::Known(*id)),
            Some(several) => {
                let names: Vec<String> = several.iter().map(|(_, n)| format!("{n:?}")).collect();
                Err(format!(
                    "partner {written:?} could be any of {}; rename one of them first",
                    names.join(", ")
                ))
            }
        }
    }

    /// The partner's name, to report a change of partner.
    pub fn name(&self, id: Option<i64>) -> String {
        id.and_then(|id| self.names.get(&id).cloned())
            .unwrap_or_default()
    }

    /// The id of what `written` names, creating the partner in `tx` when it is new
    /// (the flag says so, to report it once).
    pub async fn id_for(
        &mut self,
        tx: &mut Tx,
        written: Option<&str>,
    ) -> anyhow::Result<(Option<i64>, Option<String>)> {
        match self.find(written).map_err(anyhow::Error::msg)? {
            Named::Nobody => Ok((None, None)),
            Named::Known(id) => Ok((Some(id), None)),
            Named::New(name) => {
                let id = store::imports::create_partner(tx, &name).await?;
                self.add(id, name.clone());
                Ok((Some(id), Some(name)))
            }
        }
    }
}
