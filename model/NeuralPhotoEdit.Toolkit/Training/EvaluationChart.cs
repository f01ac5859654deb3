using System.Globalization;
using System.Security;
using System.Text;
using System.Text.Json;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// The curve a model card shows: each evaluation folder's reconstruction PSNR over training steps,
/// drawn from a run's <c>evaluations.jsonl</c> as an SVG line chart (<c>evaluations.svg</c>).
/// Why SVG written here rather than a SkiaSharp PNG: a chart needs text, text needs fonts, and a fresh
/// machine may have none; an SVG is plain text that any browser (and GitHub) renders with its own.
/// </summary>
public static class EvaluationChart
{
    public sealed record Row(long Step, IReadOnlyDictionary<string, double> Psnr);

    const int Width = 720, Height = 360, Left = 56, Right = 200, Top = 30, Bottom = 40;
    static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

    /// <summary>The rows of an evaluations.jsonl ({"step":N,"psnr":{"folder":dB,…}} per line); lines
    /// that are not such rows are skipped.</summary>
    public static IReadOnlyList<Row> Read(string path)
    {
        var rows = new List<Row>();
        foreach (var line in File.ReadLines(path))
        {
            try
            {
                var root = JsonDocument.Parse(line).RootElement;
                var psnr = root.GetProperty("psnr").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
                rows.Add(new Row(root.GetProperty("step").GetInt64(), psnr));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException) { }
        }
        return rows;
    }

    /// <summary>One line per folder, in the order the folders first appear; null when there is
    /// nothing to draw (fewer than two rows).</summary>
    public static string? Svg(IReadOnlyList<Row> rows)
    {
        if (rows.Count < 2) return null;
        var names = rows.SelectMany(r => r.Psnr.Keys).Distinct().ToList();
        var values = rows.SelectMany(r => r.Psnr.Values).ToList();
        double low = Math.Floor(values.Min()), high = Math.Ceiling(values.Max());
        if (high - low < 1) high = low + 1;
        long first = rows.Min(r => r.Step), last = rows.Max(r => r.Step);
        if (last == first) last = first + 1;
        double X(long step) => Left + (Width - Left - Right) * (step - first) / (double)(last - first);
        double Y(double db) => Top + (Height - Top - Bottom) * (high - db) / (high - low);
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" " +
            $"font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append($"<text x=\"{Left}\" y=\"18\" font-size=\"14\">Reconstruction PSNR (dB) over training steps</text>\n");
        double dbStep = high - low > 8 ? 2 : 1;
        for (double db = low; db <= high + 1e-9; db += dbStep)
        {
            svg.Append($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Y(db))}\" y2=\"{F(Y(db))}\" stroke=\"#ddd\"/>");
            svg.Append($"<text x=\"{Left - 6}\" y=\"{F(Y(db) + 4)}\" text-anchor=\"end\">{F(db)}</text>\n");
        }
        long stepTick = NiceStep((last - first) / 6.0);
        for (long step = (first + stepTick - 1) / stepTick * stepTick; step <= last; step += stepTick)
        {
            svg.Append($"<line x1=\"{F(X(step))}\" x2=\"{F(X(step))}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#eee\"/>");
            svg.Append($"<text x=\"{F(X(step))}\" y=\"{Height - Bottom + 16}\" " +
                $"text-anchor=\"middle\">{step.ToString("N0", CultureInfo.InvariantCulture)}</text>\n");
        }
        svg.Append($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 6}\" text-anchor=\"middle\">step</text>\n");
        for (int i = 0; i < names.Count; i++)
        {
            string colour = Colours[i % Colours.Length];
            var points = rows.Where(r => r.Psnr.ContainsKey(names[i])).Select(r => $"{F(X(r.Step))},{F(Y(r.Psnr[names[i]]))}");
            svg.Append($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>\n");
            double lastValue = rows.Last(r => r.Psnr.ContainsKey(names[i])).Psnr[names[i]];
            int legendY = Top + 20 + 22 * i;
            svg.Append($"<line x1=\"{Width - Right + 16}\" x2=\"{Width - Right + 36}\" y1=\"{legendY - 4}\" y2=\"{legendY - 4}\" " +
                $"stroke=\"{colour}\" stroke-width=\"2\"/>");
            svg.Append($"<text x=\"{Width - Right + 42}\" y=\"{legendY}\">{SecurityElement.Escape(Path.GetFileName(names[i].TrimEnd('/', '\\')))} " +
                $"({lastValue.ToString("F2", CultureInfo.InvariantCulture)})</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>.</summary>
    static long NiceStep(double rough)
    {
        long power = 1;
        while (power * 10 <= rough) power *= 10;
        foreach (long factor in new long[] { 1, 2, 5, 10 })
            if (power * factor >= rough) return power * factor;
        return power * 10;
    }

    /// <summary>Rewrites <paramref name="chartPath"/> from <paramref name="evaluationsPath"/> (nothing when
    /// there are fewer than two rows).</summary>
    public static void Write(string evaluationsPath, string chartPath)
    {
        if (!File.Exists(evaluationsPath) || Svg(Read(evaluationsPath)) is not string svg) return;
        File.WriteAllText(chartPath, svg);
    }
}
