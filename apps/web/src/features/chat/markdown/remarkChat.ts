import type { Parent, Root, RootContent } from 'mdast';

/** Nodes whose children are blocks: raw HTML there becomes a paragraph of its own, elsewhere it stays inline. */
const FLOW_PARENTS: ReadonlySet<string> = new Set(['root', 'blockquote', 'listItem', 'footnoteDefinition']);

function hasChildren(node: RootContent): node is RootContent & Parent {
  return 'children' in node;
}

/**
 * A remark plugin: raw HTML in a message is text, shown as typed. (react-markdown never renders raw HTML, but on
 * its own it would print an HTML block as bare text outside any paragraph, its line breaks lost.) Run it before
 * remark-breaks, which then keeps the newlines inside it.
 */
export function remarkHtmlAsText() {
  const visit = (node: Parent): void => {
    const flow = FLOW_PARENTS.has(node.type);
    node.children = node.children.map((child: RootContent): RootContent => {
      if (child.type === 'html') {
        const text = { type: 'text' as const, value: child.value, position: child.position };
        return flow ? { type: 'paragraph', children: [text], position: child.position } : text;
      }
      if (hasChildren(child)) visit(child);
      return child;
    });
  };
  return (tree: Root): undefined => {
    visit(tree);
  };
}

/**
 * A remark plugin: `$$…$$` written on one line is display math, as people expect it to be (remark-math makes it
 * display math only when the dollars stand on lines of their own, and inline math otherwise). The line breaks
 * that remark-breaks put around it are dropped, as the display already stands apart.
 */
export function remarkDisplayMath() {
  const visit = (node: Parent, source: string): void => {
    const { children } = node;
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (hasChildren(child)) {
        visit(child, source);
        continue;
      }
      const start = child.position?.start.offset;
      if (child.type !== 'inlineMath' || start === undefined || !source.startsWith('$$', start)) continue;
      child.data = {
        ...child.data,
        hProperties: { ...child.data?.hProperties, className: ['language-math', 'math-display'] },
      };
      if (children[i + 1]?.type === 'break') children.splice(i + 1, 1);
      if (i > 0 && children[i - 1]?.type === 'break') {
        children.splice(i - 1, 1);
        i--;
      }
    }
  };
  return (tree: Root, file: { value: unknown }): undefined => {
    visit(tree, String(file.value));
  };
}
