//! Which ACD tenants feed which WFM tenant: each ACD tenant feeds at most one WFM tenant.

use crate::core::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// One ACD tenant linked to a WFM tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Acd {
    /// Unique within its WFM tenant; every agent from this tenant carries it as `acdId`.
    pub acd_id: String,
    /// The CXone (ACD) tenant id; linked to at most one WFM tenant.
    pub acd_tenant_id: String,
    /// RFC 3339, when the link was made.
    pub linked_at: String,
}

/// A WFM (IEX) tenant and the ACD tenants it links, in link order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WfmTenant {
    pub id: String,
    pub acds: Vec<Acd>,
}

/// Every WFM tenant, sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Topology {
    pub tenants: Vec<WfmTenant>,
}

impl Topology {
    /// Links `acd_tenant_id` to `wfm_tenant_id` as `acd_id`; the WFM tenant is created on
    /// its first link. Returns `true` when a link was made and `false` when exactly this
    /// link already existed (linking is idempotent: the first `linkedAt` is kept).
    ///
    /// Errors: an empty id → `invalid_input` naming the field; the ACD tenant linked to
    /// another WFM tenant → `acd_tenant_already_linked` naming both; `acd_id` already used
    /// in this WFM tenant by another ACD tenant, or this ACD tenant already linked here
    /// under another acd id → `invalid_input`, field `acdId` (unlink first).
    pub fn link(
        &mut self,
        wfm_tenant_id: &str,
        acd_tenant_id: &str,
        acd_id: &str,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        for (value, field) in [
            (wfm_tenant_id, "wfmTenantId"),
            (acd_tenant_id, "acdTenantId"),
            (acd_id, "acdId"),
        ] {
            if value.trim().is_empty() {
                return Err(
                    Error::invalid_input(format!("{field} must not be empty")).with_field(field)
                );
            }
        }
        if let Some((owner, _)) = self.owner_of(acd_tenant_id) {
            if owner != wfm_tenant_id {
                return Err(Error::new(
                    ErrorCode::AcdTenantAlreadyLinked,
                    format!(
                        "ACD tenant {acd_tenant_id} is already linked to WFM tenant {owner}; \
                         it cannot also be linked to WFM tenant {wfm_tenant_id}"
                    ),
                )
                .with_id(acd_tenant_id)
                .with_field("acdTenantId"));
            }
        }
        let pos = match self
            .tenants
            .binary_search_by(|t| t.id.as_str().cmp(wfm_tenant_id))
        {
            Ok(pos) => pos,
            Err(pos) => {
                self.tenants.insert(
                    pos,
                    WfmTenant {
                        id: wfm_tenant_id.into(),
                        acds: vec![],
                    },
                );
                pos
            }
        };
        let Some(tenant) = self.tenants.get_mut(pos) else {
            return Err(Error::invalid_input("WFM tenant vanished while linking"));
        };
        if let Some(existing) = tenant
            .acds
            .iter()
            .find(|a| a.acd_tenant_id == acd_tenant_id)
        {
            if existing.acd_id == acd_id {
                return Ok(false);
            }
            return Err(Error::invalid_input(format!(
                "ACD tenant {acd_tenant_id} is already linked to WFM tenant {wfm_tenant_id} as \
                 acd {}; unlink it before linking it as {acd_id}",
                existing.acd_id
            ))
            .with_id(acd_tenant_id)
            .with_field("acdId"));
        }
        if let Some(existing) = tenant.acds.iter().find(|a| a.acd_id == acd_id) {
            return Err(Error::invalid_input(format!(
                "acd id {acd_id} is already used in WFM tenant {wfm_tenant_id} by ACD tenant {}",
                existing.acd_tenant_id
            ))
            .with_id(acd_id)
            .with_field("acdId"));
        }
        tenant.acds.push(Acd {
            acd_id: acd_id.into(),
            acd_tenant_id: acd_tenant_id.into(),
            linked_at: now.to_string(),
        });
        Ok(true)
    }

    /// Removes the link and returns it. The WFM tenant stays (with its last run and the
    /// agents it last received, which are kept and reported absent, never deleted).
    /// Errors: `not_found` when the WFM tenant or the link does not exist.
    pub fn unlink(&mut self, wfm_tenant_id: &str, acd_tenant_id: &str) -> Result<Acd> {
        let tenant = self.tenant_mut(wfm_tenant_id)?;
        let Some(pos) = tenant
            .acds
            .iter()
            .position(|a| a.acd_tenant_id == acd_tenant_id)
        else {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!("ACD tenant {acd_tenant_id} is not linked to WFM tenant {wfm_tenant_id}"),
            )
            .with_id(acd_tenant_id)
            .with_field("acdTenantId"));
        };
        Ok(tenant.acds.remove(pos))
    }

    pub fn tenant(&self, wfm_tenant_id: &str) -> Result<&WfmTenant> {
        self.tenants
            .iter()
            .find(|t| t.id == wfm_tenant_id)
            .ok_or_else(|| unknown(wfm_tenant_id))
    }

    fn tenant_mut(&mut self, wfm_tenant_id: &str) -> Result<&mut WfmTenant> {
        self.tenants
            .iter_mut()
            .find(|t| t.id == wfm_tenant_id)
            .ok_or_else(|| unknown(wfm_tenant_id))
    }

    /// The WFM tenant an ACD tenant is linked to, and its link.
    pub fn owner_of(&self, acd_tenant_id: &str) -> Option<(&str, &Acd)> {
        self.tenants.iter().find_map(|t| {
            t.acds
                .iter()
                .find(|a| a.acd_tenant_id == acd_tenant_id)
                .map(|a| (t.id.as_str(), a))
        })
    }
}

fn unknown(wfm_tenant_id: &str) -> Error {
    Error::new(
        ErrorCode::NotFound,
        format!("WFM tenant {wfm_tenant_id} does not exist (its first link creates it)"),
    )
    .with_id(wfm_tenant_id)
    .with_field("wfmTenantId")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> jiff::Timestamp {
        "2024-05-01T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn first_link_creates_the_wfm_tenant_and_tenants_stay_sorted() {
        let mut t = Topology::default();
        assert!(t.link("w2", "a1", "acd1", t0()).unwrap());
        assert!(t.link("w1", "a2", "acd1", t0()).unwrap());
        let ids: Vec<_> = t.tenants.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["w1", "w2"]);
        assert_eq!(
            t.tenant("w2").unwrap().acds[0].linked_at,
            "2024-05-01T10:00:00Z"
        );
    }

    #[test]
    fn relinking_the_same_pair_is_a_no_op() {
        let mut t = Topology::default();
        t.link("w", "a", "acd1", t0()).unwrap();
        let before = t.clone();
        let later = "2024-06-01T00:00:00Z".parse().unwrap();
        assert!(!t.link("w", "a", "acd1", later).unwrap());
        assert_eq!(t, before, "linkedAt keeps the first link");
    }

    #[test]
    fn acd_id_is_unique_within_a_wfm_tenant() {
        let mut t = Topology::default();
        t.link("w", "a", "acd1", t0()).unwrap();
        let e = t.link("w", "b", "acd1", t0()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert_eq!(e.field.as_deref(), Some("acdId"));
        // The same acd id in another WFM tenant is fine.
        t.link("w2", "b", "acd1", t0()).unwrap();
        // The same ACD tenant under a second acd id is refused too.
        let e = t.link("w", "a", "acd2", t0()).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidInput, Some("acdId"))
        );
    }

    #[test]
    fn an_acd_tenant_cannot_join_a_second_wfm_tenant() {
        let mut t = Topology::default();
        t.link("w1", "a", "acd1", t0()).unwrap();
        let e = t.link("w2", "a", "acd9", t0()).unwrap_err();
        assert_eq!(e.code, ErrorCode::AcdTenantAlreadyLinked);
        assert!(
            e.message.contains("w1") && e.message.contains("w2"),
            "{}",
            e.message
        );
        assert!(t.tenant("w2").is_err(), "a refused link creates nothing");
    }

    #[test]
    fn empty_ids_are_refused() {
        let mut t = Topology::default();
        let e = t.link("w", " ", "acd", t0()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("acdTenantId"));
        assert!(t.tenants.is_empty());
    }

    #[test]
    fn unlink_removes_the_link_but_keeps_the_tenant() {
        let mut t = Topology::default();
        t.link("w", "a", "acd1", t0()).unwrap();
        assert_eq!(t.unlink("w", "a").unwrap().acd_id, "acd1");
        assert!(t.tenant("w").unwrap().acds.is_empty());
        assert_eq!(t.unlink("w", "a").unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(t.unlink("nope", "a").unwrap_err().code, ErrorCode::NotFound);
        // Once unlinked, the ACD tenant may join another WFM tenant.
        t.link("w2", "a", "acd1", t0()).unwrap();
    }
}
