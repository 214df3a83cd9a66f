//! A collapsible JSON tree: the raw record as lines the detail pane can
//! scroll through, fold and unfold.
//!
//! The tree is built and laid out without recursion, so a hostile document
//! nested thousands deep costs memory in proportion to its size, never stack.

use serde_json::Value;

/// Containers at this depth and deeper start collapsed.
pub const DEFAULT_OPEN_DEPTH: usize = 3;
/// Strings longer than this many characters are cut in the line text.
pub const MAX_STRING_CHARS: usize = 2000;

/// What a line shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeKind {
    /// An object: `{` when open, `{…} N keys` when collapsed, `{}` when empty.
    Object,
    /// An array: `[` when open, `[…] N items` when collapsed, `[]` when empty.
    Array,
    /// A string; the text is its content, unquoted and unescaped.
    String,
    /// A number, as JSON writes it.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
    /// The closing `}` or `]` of an open container.
    Close,
}

/// One visible line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeLine {
    /// Nesting depth; the root is 0.
    pub depth: usize,
    /// The object key, or `[i]` for an array element; none for the root and closing lines.
    pub key: Option<String>,
    /// The value's rendering (see [`TreeKind`]). Raw evidence: escape before display.
    pub text: String,
    /// What kind of value the line shows.
    pub kind: TreeKind,
    /// The node the line belongs to (a closing line belongs to its container).
    pub node: usize,
    /// True for a non-empty object or array's opening line.
    pub expandable: bool,
    /// True when that container is open.
    pub expanded: bool,
}

/// One value of the document.
struct Node {
    key: Option<String>,
    depth: usize,
    kind: TreeKind,
    /// Scalar rendering; empty for containers.
    text: String,
    children: Vec<usize>,
    expanded: bool,
}

/// A JSON value as foldable lines.
pub struct JsonTree {
    nodes: Vec<Node>,
    lines: Vec<TreeLine>,
}

impl JsonTree {
    /// Builds the tree with containers shallower than [`DEFAULT_OPEN_DEPTH`] open.
    pub fn new(value: &Value) -> JsonTree {
        let mut nodes: Vec<Node> = Vec::new();
        let mut pending: Vec<(&Value, Option<String>, usize, Option<usize>)> =
            vec![(value, None, 0, None)];
        while let Some((value, key, depth, parent)) = pending.pop() {
            let id = nodes.len();
            if let Some(parent) = parent {
                nodes[parent].children.push(id);
            }
            let (kind, text) = scalar(value);
            nodes.push(Node {
                key,
                depth,
                kind,
                text,
                children: Vec::new(),
                expanded: depth < DEFAULT_OPEN_DEPTH,
            });
            // Children are pushed last-first so they are numbered in order:
            // array items in document order, object keys sorted (serde_json's
            // map order depends on its `preserve_order` feature, which a
            // dependency may turn on for one build and not another).
            match value {
                Value::Object(map) => {
                    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                    for (name, child) in entries.into_iter().rev() {
                        pending.push((child, Some(name.clone()), depth + 1, Some(id)));
                    }
                }
                Value::Array(items) => {
                    for (index, child) in items.iter().enumerate().rev() {
                        pending.push((child, Some(format!("[{index}]")), depth + 1, Some(id)));
                    }
                }
                _ => {}
            }
        }
        let mut tree = JsonTree {
            nodes,
            lines: Vec::new(),
        };
        tree.layout();
        tree
    }

    /// The visible lines, top to bottom.
    pub fn lines(&self) -> &[TreeLine] {
        &self.lines
    }

    /// Opens or closes the container of the line at `line_index` (a closing
    /// line closes its container). Returns the index of that container's
    /// opening line afterwards, to keep the cursor on it; `None` when the
    /// line does not exist or holds nothing to fold.
    pub fn toggle(&mut self, line_index: usize) -> Option<usize> {
        let node = self.lines.get(line_index)?.node;
        if !self.is_foldable(node) {
            return None;
        }
        self.nodes[node].expanded = !self.nodes[node].expanded;
        self.layout();
        self.lines.iter().position(|line| line.node == node)
    }

    /// Opens every container.
    pub fn expand_all(&mut self) {
        self.nodes.iter_mut().for_each(|node| node.expanded = true);
        self.layout();
    }

    /// Closes every container but the root, leaving its members in view.
    pub fn collapse_all(&mut self) {
        for node in &mut self.nodes {
            node.expanded = node.depth == 0;
        }
        self.layout();
    }

    fn is_foldable(&self, node: usize) -> bool {
        let node = &self.nodes[node];
        matches!(node.kind, TreeKind::Object | TreeKind::Array) && !node.children.is_empty()
    }

    /// Recomputes the visible lines from the nodes' open/closed state.
    fn layout(&mut self) {
        enum Visit {
            Open(usize),
            Close(usize),
        }
        let mut lines = Vec::new();
        let mut stack = vec![Visit::Open(0)];
        while let Some(visit) = stack.pop() {
            match visit {
                Visit::Open(id) => {
                    let node = &self.nodes[id];
                    let foldable = self.is_foldable(id);
                    let open = foldable && node.expanded;
                    lines.push(TreeLine {
                        depth: node.depth,
                        key: node.key.clone(),
                        text: container_text(node, open).unwrap_or_else(|| node.text.clone()),
                        kind: node.kind,
                        node: id,
                        expandable: foldable,
                        expanded: open,
                    });
                    if open {
                        stack.push(Visit::Close(id));
                        stack.extend(node.children.iter().rev().map(|&c| Visit::Open(c)));
                    }
                }
                Visit::Close(id) => {
                    let node = &self.nodes[id];
                    let bracket = if node.kind == TreeKind::Object {
                        "}"
                    } else {
                        "]"
                    };
                    lines.push(TreeLine {
                        depth: node.depth,
                        key: None,
                        text: bracket.to_string(),
                        kind: TreeKind::Close,
                        node: id,
                        expandable: false,
                        expanded: false,
                    });
                }
            }
        }
        self.lines = lines;
    }
}

/// The kind of a value and, for scalars, its text.
fn scalar(value: &Value) -> (TreeKind, String) {
    match value {
        Value::Object(_) => (TreeKind::Object, String::new()),
        Value::Array(_) => (TreeKind::Array, String::new()),
        Value::String(text) => (TreeKind::String, truncated(text)),
        Value::Number(number) => (TreeKind::Number, number.to_string()),
        Value::Bool(flag) => (TreeKind::Bool, flag.to_string()),
        Value::Null => (TreeKind::Null, "null".to_string()),
    }
}

/// The opening text of a container; `None` for scalars.
fn container_text(node: &Node, open: bool) -> Option<String> {
    let count = node.children.len();
    let text = match (node.kind, count, open) {
        (TreeKind::Object, 0, _) => "{}".to_string(),
        (TreeKind::Array, 0, _) => "[]".to_string(),
        (TreeKind::Object, _, true) => "{".to_string(),
        (TreeKind::Array, _, true) => "[".to_string(),
        (TreeKind::Object, 1, false) => "{…} 1 key".to_string(),
        (TreeKind::Object, n, false) => format!("{{…}} {n} keys"),
        (TreeKind::Array, 1, false) => "[…] 1 item".to_string(),
        (TreeKind::Array, n, false) => format!("[…] {n} items"),
        _ => return None,
    };
    Some(text)
}

fn truncated(text: &str) -> String {
    match text.char_indices().nth(MAX_STRING_CHARS) {
        Some((cut, _)) => {
            let more = text[cut..].chars().count();
            format!("{}… ({more} more chars)", &text[..cut])
        }
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(tree: &JsonTree) -> Vec<String> {
        tree.lines()
            .iter()
            .map(|line| {
                let key = line
                    .key
                    .as_deref()
                    .map(|k| format!("{k}: "))
                    .unwrap_or_default();
                format!("{}{key}{}", "  ".repeat(line.depth), line.text)
            })
            .collect()
    }

    #[test]
    fn object_keys_are_listed_sorted_whatever_the_document_order() {
        let value: Value =
            serde_json::from_str(r#"{"userIdentity": {"type": "x"}, "awsRegion": "r"}"#).unwrap();
        let tree = JsonTree::new(&value);
        assert_eq!(
            render(&tree),
            vec![
                "{",
                "  awsRegion: r",
                "  userIdentity: {",
                "    type: x",
                "  }",
                "}"
            ]
        );
    }

    #[test]
    fn shallow_levels_open_and_deep_ones_folded() {
        let value = json!({"a": 1, "b": {"c": {"d": {"e": 1}, "f": []}}, "g": ["x", null, true]});
        let tree = JsonTree::new(&value);
        assert_eq!(
            render(&tree),
            vec![
                "{",
                "  a: 1",
                "  b: {",
                "    c: {",
                "      d: {…} 1 key",
                "      f: []",
                "    }",
                "  }",
                "  g: [",
                "    [0]: x",
                "    [1]: null",
                "    [2]: true",
                "  ]",
                "}",
            ]
        );
        let kinds: Vec<TreeKind> = tree.lines().iter().map(|l| l.kind).collect();
        assert_eq!(kinds[1], TreeKind::Number);
        assert_eq!(kinds[4], TreeKind::Object);
        assert_eq!(kinds[6], TreeKind::Close);
        assert_eq!(kinds[9], TreeKind::String);
        assert_eq!(kinds[10], TreeKind::Null);
        assert_eq!(kinds[11], TreeKind::Bool);
        let d = &tree.lines()[4];
        assert!(d.expandable && !d.expanded);
        assert!(
            !tree.lines()[5].expandable,
            "empty array has nothing to fold"
        );
    }

    #[test]
    fn toggling_opens_and_closes_and_keeps_the_cursor() {
        let value = json!({"a": {"b": {"c": {"d": 1}}}, "z": 0});
        let mut tree = JsonTree::new(&value);
        let folded = tree
            .lines()
            .iter()
            .position(|l| l.key.as_deref() == Some("c"))
            .unwrap();
        assert_eq!(tree.lines()[folded].text, "{…} 1 key");
        assert_eq!(tree.toggle(folded), Some(folded));
        assert_eq!(tree.lines()[folded].text, "{");
        assert_eq!(tree.lines()[folded + 1].text, "1");
        // Toggling the closing line of `a` folds `a` and points at its opening line.
        let close_a = tree
            .lines()
            .iter()
            .rposition(|l| l.kind == TreeKind::Close && l.depth == 1)
            .unwrap();
        assert_eq!(tree.toggle(close_a), Some(1));
        assert_eq!(render(&tree), vec!["{", "  a: {…} 1 key", "  z: 0", "}"]);
        // Scalars and missing lines do nothing.
        assert_eq!(tree.toggle(2), None);
        assert_eq!(tree.toggle(99), None);
        assert_eq!(tree.lines().len(), 4);
    }

    #[test]
    fn expand_and_collapse_everything() {
        let value = json!({"a": {"b": {"c": {"d": [1, 2]}}}, "e": [{"f": 1}]});
        let mut tree = JsonTree::new(&value);
        tree.expand_all();
        assert!(tree.lines().iter().all(|l| !l.expandable || l.expanded));
        assert_eq!(
            tree.lines()
                .iter()
                .filter(|l| l.kind == TreeKind::Number)
                .count(),
            3
        );
        tree.collapse_all();
        assert_eq!(
            render(&tree),
            vec!["{", "  a: {…} 1 key", "  e: […] 1 item", "}"]
        );
    }

    #[test]
    fn long_strings_are_cut_with_a_count() {
        let long = format!("{}{}", "é".repeat(MAX_STRING_CHARS), "x".repeat(10));
        let tree = JsonTree::new(&json!({ "s": long, "short": "ok" }));
        let line = &tree.lines()[1];
        assert!(
            line.text.ends_with("… (10 more chars)"),
            "{}",
            &line.text[line.text.len() - 30..]
        );
        assert_eq!(
            line.text.chars().filter(|&c| c == 'é').count(),
            MAX_STRING_CHARS
        );
        assert_eq!(tree.lines()[2].text, "ok");
    }

    #[test]
    fn ten_thousand_levels_do_not_overflow_the_stack() {
        const DEPTH: usize = 10_000;
        let mut value = json!("bottom");
        for _ in 0..DEPTH {
            value = Value::Array(vec![value]);
        }
        let mut tree = JsonTree::new(&value);
        assert_eq!(tree.lines().len(), 2 * DEFAULT_OPEN_DEPTH + 1);
        tree.expand_all();
        assert_eq!(tree.lines().len(), 2 * DEPTH + 1);
        assert_eq!(tree.lines()[DEPTH].text, "bottom");
        assert_eq!(tree.lines()[DEPTH].depth, DEPTH);
        tree.collapse_all();
        assert_eq!(tree.lines().len(), 3);
        // Taken apart level by level: dropping it whole would recurse 10k deep.
        while let Value::Array(mut items) = value {
            value = items.pop().unwrap_or(Value::Null);
        }
        assert_eq!(value, json!("bottom"));
    }

    #[test]
    fn scalar_roots_are_one_line() {
        let tree = JsonTree::new(&json!(42));
        assert_eq!(render(&tree), vec!["42"]);
        assert!(tree.lines()[0].key.is_none());
    }
}
