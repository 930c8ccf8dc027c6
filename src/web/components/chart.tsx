import type { EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { download, exportName, toCsv } from '../csv.js';
import { useApp } from '../state.js';
import { DataTable } from './table.js';

type ECharts = ReturnType<typeof import('./echarts.js')['echarts']['init']>;

/**
 * One chart: ECharts on a canvas (loaded on demand), with PNG export of the picture and CSV export of
 * the data behind it. `rows` is that data; screen readers get it as a table on request.
 */
export function Chart(props: {
  title: string;
  option: EChartsCoreOption;
  rows: readonly Record<string, unknown>[];
  height?: number;
  onClick?: (params: { name?: string; data?: unknown; dataType?: string }) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const { dark } = useApp();
  const [showData, setShowData] = useState(false);
  const onClick = useRef(props.onClick);
  onClick.current = props.onClick;

  useEffect(() => {
    let disposed = false;
    let ro: ResizeObserver | undefined;
    void import('./echarts.js').then(({ echarts }) => {
      if (disposed || !el.current) return;
      const c = echarts.init(el.current, dark ? 'dark' : undefined, { renderer: 'canvas' });
      c.setOption({ backgroundColor: 'transparent', animation: false, ...props.option });
      c.on('click', (p) => onClick.current?.(p as { name?: string; data?: unknown; dataType?: string }));
      chart.current = c;
      ro = new ResizeObserver(() => c.resize());
      ro.observe(el.current);
    });
    return () => {
      disposed = true;
      ro?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, [dark, props.option]);

  const png = () => {
    const c = chart.current;
    if (!c) return;
    const url = c.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: dark ? '#14181f' : '#ffffff' });
    void fetch(url)
      .then((r) => r.blob())
      .then((b) => download(exportName(props.title, 'png'), b, 'image/png'));
  };
  return (
    <figure class="chart">
      <div class="chart-tools">
        <button type="button" class="btn small" onClick={png} aria-label={`Export ${props.title} as PNG`}>
          PNG
        </button>
        <button
          type="button"
          class="btn small"
          onClick={() => download(exportName(props.title, 'csv'), toCsv(props.rows))}
          aria-label={`Export data of ${props.title} as CSV`}
        >
          CSV
        </button>
        <button
          type="button"
          class="btn small"
          aria-expanded={showData}
          onClick={() => setShowData((s) => !s)}
        >
          {showData ? 'Hide data' : 'Data'}
        </button>
      </div>
      <div
        ref={el}
        class="chart-canvas"
        style={{ height: `${props.height ?? 280}px` }}
        role="img"
        aria-label={props.title}
      />
      {showData && <DataTable title={props.title} rows={props.rows} />}
    </figure>
  );
}
