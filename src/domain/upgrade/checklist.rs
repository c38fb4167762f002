//! The integration checklist: the four classic failure causes, each of which the admin
//! confirms before the test purchase.

/// One item. Its name is the form field's and the message key's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChecklistItem {
    OldDisabled,
    NewEnabled,
    LiveFields,
    TestModeOff,
}

impl ChecklistItem {
    /// Every item, in the order the page lists them.
    pub const ALL: [ChecklistItem; 4] = [
        ChecklistItem::OldDisabled,
        ChecklistItem::NewEnabled,
        ChecklistItem::LiveFields,
        ChecklistItem::TestModeOff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OldDisabled => "old_disabled",
            Self::NewEnabled => "new_enabled",
            Self::LiveFields => "live_fields",
            Self::TestModeOff => "test_mode_off",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == s)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The items ticked so far: a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checklist(u8);

impl Checklist {
    pub fn contains(self, item: ChecklistItem) -> bool {
        self.0 & item.bit() != 0
    }

    pub fn insert(&mut self, item: ChecklistItem) {
        self.0 |= item.bit();
    }

    /// The ticked items, in the page's order.
    pub fn items(self) -> impl Iterator<Item = ChecklistItem> {
        ChecklistItem::ALL
            .into_iter()
            .filter(move |i| self.contains(*i))
    }

    /// The items not ticked, in the page's order.
    pub fn missing(self) -> Vec<ChecklistItem> {
        ChecklistItem::ALL
            .into_iter()
            .filter(|i| !self.contains(*i))
            .collect()
    }

    pub fn is_complete(self) -> bool {
        self.missing().is_empty()
    }
}

impl FromIterator<ChecklistItem> for Checklist {
    fn from_iter<I: IntoIterator<Item = ChecklistItem>>(items: I) -> Self {
        let mut set = Checklist::default();
        for i in items {
            set.insert(i);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checklist_is_complete_with_all_four_and_says_what_is_missing() {
        let some: Checklist = [ChecklistItem::LiveFields, ChecklistItem::OldDisabled]
            .into_iter()
            .collect();
        assert_eq!(
            some.items().collect::<Vec<_>>(),
            [ChecklistItem::OldDisabled, ChecklistItem::LiveFields]
        );
        assert_eq!(
            some.missing(),
            [ChecklistItem::NewEnabled, ChecklistItem::TestModeOff]
        );
        assert!(!some.is_complete());
        assert!(
            ChecklistItem::ALL
                .into_iter()
                .collect::<Checklist>()
                .is_complete()
        );
        assert_eq!(Checklist::default().missing(), ChecklistItem::ALL);
    }

    #[test]
    fn items_round_trip_through_their_names() {
        for i in ChecklistItem::ALL {
            assert_eq!(ChecklistItem::parse(i.as_str()), Some(i));
        }
        assert_eq!(ChecklistItem::parse("old_disabled,"), None);
    }
}
