/**
 * A template's icon: a tile with the first letters of its name, coloured from its icon name. Any template a
 * catalog adds gets one, with no change here.
 */
export function TemplateIcon(props: { icon: string; name: string }) {
  const hue = () => [...props.icon].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 997, 7) % 8;
  const letters = () =>
    props.name
      .split(/[\s-]+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((word) => word[0]!.toUpperCase())
      .join('');
  return (
    <span class={`template-icon hue-${hue()}`} aria-hidden="true">
      {letters()}
    </span>
  );
}
