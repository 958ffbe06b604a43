import type { Element, Root } from 'hast';

/** The id that mdast-util-to-hast gives every footnote section's heading, whatever its `clobberPrefix`. */
const LABEL_ID = 'footnote-label';

/**
 * A rehype plugin: gives the heading of a message's footnotes, and the references that point to it, an id of that
 * message's own (`prefix` + "footnote-label"), as the footnotes themselves already have through `clobberPrefix`.
 * Without it, every message with footnotes would repeat the same id in the page.
 */
export function rehypeScopeFootnoteLabel(prefix: string) {
  return (tree: Root): undefined => {
    const visit = (node: Root | Element): void => {
      for (const child of node.children) {
        if (child.type !== 'element') continue;
        const { properties } = child;
        if (properties.id === LABEL_ID) properties.id = prefix + LABEL_ID;
        const describedBy = properties.ariaDescribedBy;
        if (Array.isArray(describedBy)) {
          properties.ariaDescribedBy = describedBy.map((id) => (id === LABEL_ID ? prefix + LABEL_ID : id));
        }
        visit(child);
      }
    };
    visit(tree);
  };
}
