//! Templates are code, run with limits: includes and imports stay inside
//! the template folders and never go round in a circle, nothing reads the
//! environment or the disk, and each page has a budget of steps, macro
//! depth, time and output. Going past one is a finding naming the
//! template, never a crash, a hang or gigabytes of memory.
//!
//! The step budget is kept by a call to [`TICK`] that is put at the top
//! of every loop body and macro, and [`LEAVE`] at the end of every macro,
//! when the templates are loaded.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use tera::ast::{Expr, ExprVal, FunctionCall, Node, WS};

/// Loop turns and macro calls one page may take.
pub const MAX_STEPS: u64 = 5_000_000;
/// How deep macros may call macros.
pub const MAX_DEPTH: u32 = 48;
/// How long one page may take to render.
pub const MAX_TIME: Duration = Duration::from_secs(10);
/// How large one rendered page may be.
pub const MAX_OUTPUT: usize = 32 * 1024 * 1024;
/// The most numbers one `range()` may make.
pub const MAX_RANGE: i64 = 100_000;

const TICK: &str = "__schoolsite_step";
const LEAVE: &str = "__schoolsite_leave";

struct Budget {
    steps: Cell<u64>,
    depth: Cell<u32>,
    started: Cell<Option<Instant>>,
}

thread_local! {
    static BUDGET: Budget = const {
        Budget { steps: Cell::new(0), depth: Cell::new(0), started: Cell::new(None) }
    };
}

/// Starts a page's budget on this thread (a page renders on one thread).
pub fn start() {
    BUDGET.with(|b| {
        b.steps.set(0);
        b.depth.set(0);
        b.started.set(Some(Instant::now()));
    });
}

fn step(enter: bool) -> tera::Result<tera::Value> {
    BUDGET.with(|b| {
        let steps = b.steps.get() + 1;
        b.steps.set(steps);
        if enter {
            b.depth.set(b.depth.get() + 1);
        }
        if steps > MAX_STEPS {
            return Err(tera::Error::msg(format!(
                "the page took more than {MAX_STEPS} loop turns and macro calls (a loop that never ends, or loops inside loops over the whole site)"
            )));
        }
        if b.depth.get() > MAX_DEPTH {
            return Err(tera::Error::msg(format!(
                "macros called each other more than {MAX_DEPTH} deep (a macro that calls itself without end)"
            )));
        }
        if steps % 4096 == 0 && b.started.get().is_some_and(|t| t.elapsed() > MAX_TIME) {
            return Err(tera::Error::msg(format!(
                "the page took more than {} seconds to render",
                MAX_TIME.as_secs()
            )));
        }
        Ok(tera::Value::String(String::new()))
    })
}

/// Registers the budget's functions, and replaces Tera's own functions
/// that read the environment, make numbers without bound or read the
/// clock (`now()` gives the build's date, so a build is reproducible).
pub fn register(tera: &mut tera::Tera, today: chrono::NaiveDate) {
    tera.register_function(TICK, |_: &HashMap<String, tera::Value>| step(false));
    tera.register_function("__schoolsite_enter", |_: &HashMap<String, tera::Value>| {
        step(true)
    });
    tera.register_function(LEAVE, |_: &HashMap<String, tera::Value>| {
        BUDGET.with(|b| b.depth.set(b.depth.get().saturating_sub(1)));
        Ok(tera::Value::String(String::new()))
    });
    for name in ["get_env", "get_random"] {
        tera.register_function(name, move |_: &HashMap<String, tera::Value>| {
            Err(tera::Error::msg(format!(
                "{name}() is not available: a build reads nothing but the site, and gives the same pages every time"
            )))
        });
    }
    tera.register_function("range", range);
    tera.register_function("now", move |args: &HashMap<String, tera::Value>| {
        let midnight = today.and_hms_opt(0, 0, 0).unwrap_or_default();
        if args.get("timestamp").and_then(|v| v.as_bool()) == Some(true) {
            return Ok(tera::Value::from(midnight.and_utc().timestamp()));
        }
        Ok(tera::Value::String(format!(
            "{}+00:00",
            midnight.format("%Y-%m-%dT%H:%M:%S")
        )))
    });
}

/// Tera's `range(start, end, step_by)`, refusing more than [`MAX_RANGE`]
/// numbers.
fn range(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let number = |key: &str, default: i64| -> tera::Result<i64> {
        match args.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_i64()
                .ok_or_else(|| tera::Error::msg(format!("range(): {key} must be a whole number"))),
        }
    };
    let start = number("start", 0)?;
    let end = number("end", 0)?;
    let step = number("step_by", 1)?;
    if step <= 0 {
        return Err(tera::Error::msg("range(): step_by must be above 0"));
    }
    let count = end.saturating_sub(start).max(0) / step;
    if count > MAX_RANGE {
        return Err(tera::Error::msg(format!(
            "range() was asked for {count} numbers; a page may make at most {MAX_RANGE}"
        )));
    }
    let values: Vec<i64> = (0..count).map(|i| start + i * step).collect();
    Ok(tera::Value::from(values))
}

fn call(name: &str) -> Node {
    Node::VariableBlock(
        WS::default(),
        Expr {
            val: ExprVal::FunctionCall(FunctionCall {
                name: name.to_string(),
                args: HashMap::new(),
            }),
            negated: false,
            filters: Vec::new(),
        },
    )
}

/// Puts a step at the top of every loop body and macro of a template,
/// and a leave at the end of every macro.
pub fn instrument(template: &mut tera::Template) {
    instrument_nodes(&mut template.ast);
    for block in template.blocks.values_mut() {
        instrument_nodes(&mut block.body);
    }
    for definition in template.macros.values_mut() {
        instrument_macro(&mut definition.body);
    }
}

fn instrument_macro(body: &mut Vec<Node>) {
    instrument_nodes(body);
    body.insert(0, call("__schoolsite_enter"));
    body.push(call(LEAVE));
}

fn instrument_nodes(nodes: &mut [Node]) {
    for node in nodes {
        match node {
            Node::Forloop(_, f, _) => {
                instrument_nodes(&mut f.body);
                if let Some(empty) = f.empty_body.as_mut() {
                    instrument_nodes(empty);
                }
                f.body.insert(0, call(TICK));
            }
            Node::MacroDefinition(_, m, _) => instrument_macro(&mut m.body),
            Node::Block(_, b, _) => instrument_nodes(&mut b.body),
            Node::FilterSection(_, f, _) => instrument_nodes(&mut f.body),
            Node::If(i, _) => {
                for (_, _, body) in &mut i.conditions {
                    instrument_nodes(body);
                }
                if let Some((_, body)) = i.otherwise.as_mut() {
                    instrument_nodes(body);
                }
            }
            _ => {}
        }
    }
}

/// The templates each template names with `extends`, `include` or
/// `import`.
pub fn references(template: &tera::Template) -> Vec<String> {
    let mut out = Vec::new();
    collect(&template.ast, &mut out);
    for definition in template.macros.values() {
        collect(&definition.body, &mut out);
    }
    out.extend(template.imported_macro_files.iter().map(|(f, _)| f.clone()));
    out.sort();
    out.dedup();
    out
}

fn collect(nodes: &[Node], out: &mut Vec<String>) {
    for node in nodes {
        match node {
            Node::Extends(_, name) | Node::ImportMacro(_, name, _) => out.push(name.clone()),
            Node::Include(_, names, _) => out.extend(names.iter().cloned()),
            Node::Forloop(_, f, _) => {
                collect(&f.body, out);
                if let Some(e) = &f.empty_body {
                    collect(e, out);
                }
            }
            Node::MacroDefinition(_, m, _) => collect(&m.body, out),
            Node::Block(_, b, _) => collect(&b.body, out),
            Node::FilterSection(_, f, _) => collect(&f.body, out),
            Node::If(i, _) => {
                for (_, _, body) in &i.conditions {
                    collect(body, out);
                }
                if let Some((_, body)) = &i.otherwise {
                    collect(body, out);
                }
            }
            _ => {}
        }
    }
}

/// Every circle of templates that include, import or extend each other
/// (each once, as the names in it in order). Rendering one would never
/// end.
pub fn cycles(graph: &BTreeMap<String, Vec<String>>) -> Vec<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks: BTreeMap<&str, Mark> = graph.keys().map(|k| (k.as_str(), Mark::New)).collect();
    let mut found = Vec::new();
    for start in graph.keys() {
        if marks.get(start.as_str()) != Some(&Mark::New) {
            continue;
        }
        // Depth first, with an explicit stack: (template, next edge).
        let mut path: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
        marks.insert(start.as_str(), Mark::Open);
        while let Some((node, edge)) = path.last().copied() {
            let edges = graph.get(node).map_or(&[][..], Vec::as_slice);
            let Some(next) = edges.get(edge) else {
                marks.insert(node, Mark::Done);
                path.pop();
                continue;
            };
            if let Some(top) = path.last_mut() {
                top.1 += 1;
            }
            match marks.get(next.as_str()).copied() {
                Some(Mark::New) => {
                    marks.insert(next.as_str(), Mark::Open);
                    path.push((next.as_str(), 0));
                }
                Some(Mark::Open) => {
                    let at = path.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    let mut circle: Vec<String> =
                        path[at..].iter().map(|(n, _)| n.to_string()).collect();
                    circle.push(next.clone());
                    found.push(circle);
                }
                _ => {}
            }
        }
    }
    found
}

/// A writer that refuses to grow a page past [`MAX_OUTPUT`].
pub struct Bounded(pub Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT {
            return Err(std::io::Error::other(format!(
                "the page grew past {} MB",
                MAX_OUTPUT / 1024 / 1024
            )));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circles_are_found() {
        let mut g = BTreeMap::new();
        g.insert("a".to_string(), vec!["b".to_string()]);
        g.insert("b".to_string(), vec!["c".to_string()]);
        g.insert("c".to_string(), vec!["a".to_string()]);
        g.insert("d".to_string(), vec!["d".to_string()]);
        g.insert("e".to_string(), vec!["a".to_string()]);
        let found = cycles(&g);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.contains(&vec!["a".into(), "b".into(), "c".into(), "a".into()]));
        assert!(found.contains(&vec!["d".into(), "d".into()]));
        let mut fine = BTreeMap::new();
        fine.insert("a".to_string(), vec!["b".to_string(), "c".to_string()]);
        fine.insert("b".to_string(), vec!["c".to_string()]);
        assert!(cycles(&fine).is_empty());
    }

    #[test]
    fn range_is_bounded() {
        let args = |end: i64| HashMap::from([("end".to_string(), tera::Value::from(end))]);
        assert!(range(&args(10)).is_ok());
        assert!(range(&args(MAX_RANGE + 1)).is_err());
    }
}
