//! The client history's linearizability check, run in slices (one per animation frame) so the
//! page keeps drawing while it searches, shows how far it came, and can be stopped.

use std::cell::RefCell;
use std::rc::Rc;

use distlab_core::history::{Judgement, Judging};
use distlab_core::lincheck::{Progress, Step};

/// Configurations explored per frame: each costs 0.2 to 1 µs natively (more in wasm), so a
/// slice takes a few milliseconds of the frame's sixteen.
pub const SLICE: u64 = 10_000;

/// The last verdict, or the check under way.
#[derive(Clone, Default)]
pub struct Linearity {
    /// The verdict, and the position it judged.
    pub judgement: Option<(u64, Rc<Judgement>)>,
    /// The check under way: the position it judges, the search, and how far it came.
    pub checking: Option<(u64, Rc<RefCell<Judging>>, Progress)>,
}

impl PartialEq for Linearity {
    fn eq(&self, other: &Self) -> bool {
        self.judgement.as_ref().map(|j| j.0) == other.judgement.as_ref().map(|j| j.0)
            && self.checking.as_ref().map(|c| (c.0, c.2)) == other.checking.as_ref().map(|c| (c.0, c.2))
    }
}

impl Linearity {
    /// How far the check under way came, if one is.
    pub fn progress(&self) -> Option<Progress> {
        self.checking.as_ref().map(|c| c.2)
    }
}

impl Linearity {
    /// A check of the history up to position `pos`: the first slice now, the rest one per
    /// frame ([`Linearity::slice`]).
    pub fn start(pos: u64, judging: Judging) -> Linearity {
        let mut lin = Linearity {
            judgement: None,
            checking: Some((pos, Rc::new(RefCell::new(judging)), Progress::default())),
        };
        lin.slice();
        lin
    }

    /// One frame's slice of the check under way; the verdict once it is done.
    pub fn slice(&mut self) {
        let Some((pos, judging, _)) = self.checking.clone() else { return };
        let step = judging.borrow_mut().run(SLICE);
        match step {
            Step::Running(progress) => self.checking = Some((pos, judging, progress)),
            Step::Done(j) => *self = Linearity { judgement: Some((pos, Rc::new(j))), checking: None },
        }
    }
}
