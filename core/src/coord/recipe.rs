//! The clients' recipes, each moved on by the results its requests get. The lock is
//! ZooKeeper's: create an ephemeral sequential node under `/lock`, list the children; the
//! smallest holds the lock; any other watches only the node just before its own (no herd) and
//! lists again when that one goes. The lock's fencing token is the zxid that created the
//! holder's node; the holder works, writes to the storage node with its token, works again and
//! deletes its node. The election, the service registry and the configuration store are
//! described in `mod.rs`.

use crate::protocol::Time;

use super::config::{self, Plan};
use super::conn::{expired, pause, request, Client, Cx, Step};
use super::tree::{name, TreeError, TreeOp, TreeResult};
use super::types::*;

pub(super) fn list(c: &Coordination, cl: &mut Client, ctx: Cx) {
    cl.step = Step::Listing;
    request(c, cl, TreeOp::Children { path: c.home().into() }, false, ctx);
}

pub(super) fn catalog(c: &Coordination, cl: &mut Client, ctx: Cx) {
    cl.step = Step::Cataloging;
    request(c, cl, TreeOp::Children { path: SERVICE.into() }, true, ctx);
}

/// Start a round of the recipe.
pub(super) fn begin(c: &Coordination, cl: &mut Client, ctx: Cx) {
    match c.recipe {
        Recipe::Idle => cl.step = Step::Idle,
        Recipe::Config => {
            // A value no other write writes: the client's number, then its request's.
            let value = (cl.id.0 as u64 + 1) * 1_000_000_000 + cl.hard.next_req + 1;
            let plan = config::draw(ctx.rng(), value);
            configure(c, cl, plan, ctx);
        }
        Recipe::Discovery if c.is_watcher(cl.id) => catalog(c, cl, ctx),
        Recipe::Lock | Recipe::Election | Recipe::Discovery => {
            cl.step = Step::Creating;
            cl.mine = None;
            let prefix = if c.recipe == Recipe::Discovery { "i-" } else { "n-" };
            let path = alloc::format!("{}/{prefix}", c.home());
            request(
                c,
                cl,
                TreeOp::Create { path, data: cl.id.0 as u64, ephemeral: true, sequential: true },
                false,
                ctx,
            );
        }
    }
}

/// Send the configuration plan's request, opening its history operation if it records one.
pub(super) fn configure(c: &Coordination, cl: &mut Client, plan: Plan, ctx: Cx) {
    let (op, recorded) = config::request(&plan);
    if recorded {
        ctx.note(Note::Invoke { client: cl.id, plan: plan.clone() });
    }
    // A current read leaves a watch on its key, as a configuration's users do to hear of the
    // next change.
    let watch = matches!(plan, Plan::SyncRead { synced: true, .. });
    cl.step = Step::Configuring;
    cl.plan = Some(plan);
    request(c, cl, op, watch, ctx);
}

/// The recipe's next move after a result.
pub(super) fn step(c: &Coordination, cl: &mut Client, op: TreeOp, result: TreeResult, ctx: Cx) {
    match (&cl.step, result) {
        (Step::Opening, TreeResult::Session(id)) => {
            cl.session = id;
            begin(c, cl, ctx);
        }
        (Step::Opening, _) => expired(c, cl, ctx),
        // The lock's parent, made (or found made) after its absence: try again.
        (Step::Creating, _) if matches!(op, TreeOp::Create { sequential: false, .. }) => begin(c, cl, ctx),
        (Step::Creating, TreeResult::Created { path, zxid }) => {
            cl.mine = Some((path, zxid));
            if c.recipe == Recipe::Discovery {
                cl.step = Step::Registered;
            } else {
                list(c, cl, ctx);
            }
        }
        (Step::Creating | Step::Cataloging, TreeResult::Error(TreeError::NoNode)) => {
            // The recipe's parent is missing: make it (a persistent node), then try again.
            cl.step = Step::Creating;
            let op = TreeOp::Create { path: c.home().into(), data: 0, ephemeral: false, sequential: false };
            request(c, cl, op, false, ctx);
        }
        // Children come in name order (the tree is sorted), and sequential names sort in order
        // of creation.
        (Step::Cataloging, TreeResult::Children(kids)) => {
            cl.catalog = kids;
            cl.step = Step::Watching;
        }
        (Step::Cataloging, _) => catalog(c, cl, ctx),
        (Step::Creating, _) => begin(c, cl, ctx),
        (Step::Listing, TreeResult::Children(kids)) => {
            let Some((mine, _)) = cl.mine.clone() else { return begin(c, cl, ctx) };
            let me = name(&mine);
            let Some(at) = kids.iter().position(|k| k == me) else {
                // Its node is gone (its session expired and came back? no: a new one): again.
                return begin(c, cl, ctx);
            };
            if at == 0 {
                return held(c, cl, ctx);
            }
            let watch = if c.is(Mutant::WatchWrongNode) { at.saturating_sub(2) } else { at - 1 };
            let before = alloc::format!("{}/{}", c.home(), kids[watch]);
            cl.step = Step::Waiting(kids[watch].clone());
            request(c, cl, TreeOp::Get { path: before }, true, ctx); // Curator's getData (mod.rs)
        }
        (Step::Waiting(_), TreeResult::Data(None)) => list(c, cl, ctx),
        (Step::Waiting(_), _) => {} // watching; the event will come
        (Step::Releasing, _) => think(c, cl, ctx),
        (Step::Idle, result) => cl.last = Some((op, result)),
        (Step::Configuring, result) => {
            let Some(plan) = cl.plan.take() else { return think(c, cl, ctx) };
            let next = config::next(&plan, &result);
            if let Some(outcome) = next.done {
                ctx.note(Note::Ack { client: cl.id, plan, outcome });
            }
            match next.then {
                Some(plan) => configure(c, cl, plan, ctx),
                None => think(c, cl, ctx),
            }
        }
        _ => {}
    }
}

/// It holds the lock: work, then write.
pub(super) fn held(c: &Coordination, cl: &mut Client, ctx: Cx) {
    let Some((path, token)) = cl.mine.clone() else { return };
    cl.step = Step::Working;
    ctx.note(Note::Acquired { client: cl.id, path, token, election: c.recipe == Recipe::Election });
    ctx.set_timer(Timer::Work, Time(c.work_ms as u64 * 1000));
    if c.pause_pct > 0 && ctx.rng().below(100) < c.pause_pct as u64 {
        pause(cl, c.pause_ms, ctx);
    }
}

pub(super) fn think(c: &Coordination, cl: &mut Client, ctx: Cx) {
    cl.step = Step::Thinking;
    cl.mine = None;
    ctx.set_timer(Timer::Think, Time(c.think_ms as u64 * 1000));
}
