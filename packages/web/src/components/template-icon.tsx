import { createSignal, Show } from 'solid-js';

/**
 * A template's icon: the SVG the catalog ships beside its templates (`catalog/icons/<icon>.svg`, served at
 * `/icons/<icon>.svg`), or, when there is none, a tile with the first letters of its name coloured from its
 * icon name. Any template a catalog adds gets one, with no change here.
 */
export function TemplateIcon(props: { icon: string; name: string }) {
  const [missing, setMissing] = createSignal(false);
  const hue = () => [...props.icon].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 997, 7) % 8;
  const letters = () =>
    props.name
      .split(/[\s-]+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((word) => word[0]!.toUpperCase())
      .join('');
  return (
    <Show
      when={!missing() && /^[a-z0-9][a-z0-9-]*$/.test(props.icon)}
      fallback={
        <span class={`template-icon hue-${hue()}`} aria-hidden="true">
          {letters()}
        </span>
      }
    >
      <img
        class="template-icon template-icon-image"
        src={`/icons/${props.icon}.svg`}
        alt=""
        width="48"
        height="48"
        onError={() => setMissing(true)}
      />
    </Show>
  );
}
