using System.CommandLine;
using System.Text.Json;
using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

static class EvalCommand
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static Command Create()
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Folder of evaluation photos (e.g. data/photos/heldout).", Required = true };
        var crops = new Option<int>("--crops") { Description = "Random crops taken from photos larger than the model's size.",
            DefaultValueFactory = _ => 1000 };
        var seed = CommonOptions.Seed();
        var json = CommonOptions.Json();
        var pca = new Option<string?>("--pca-fit") { Description = "Also score the PCA-25 and PCA-100 baselines fitted on crops of this folder " +
            "(e.g. data/photos/train)." };
        var refine = CommonOptions.RefineSteps();
        refine.Description = "Also score the reconstruction from the code the editor starts from: the encoder's, refined by this many Adam steps " +
            "(0 = skip).";
        var device = CommonOptions.Device();
        var command = new Command("eval", "Mean reconstruction PSNR (8-bit) at the model's resolution.") { model, data, crops, seed, json, pca,
            refine, device };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(crops);
            if (n < 1) throw new UserInputException("--crops must be at least 1.");
            int refinementSteps = parse.GetValue(refine);
            NeuralPhotoEdit.Networks.PhotoCodes.CheckSteps(refinementSteps);
            using var loaded = ModelFile.Open(parse.GetValue(model), parse.GetValue(device)!);
            var dev = loaded.Device;
            EvaluationResult Evaluate(Action<EvaluationStage, int, int>? progress) => ReconstructionEvaluation.Run(
                loaded.Network, ModelLabel.Of(loaded), parse.GetValue(data)!, n, parse.GetValue(seed), dev, parse.GetValue(pca), refinementSteps,
                progress, loaded.Codes);
            // With --json, stdout carries the JSON line and nothing else.
            var result = parse.GetValue(json) ? Evaluate(null) : AnsiConsole.Progress().Start(context =>
            {
                var bars = new Dictionary<EvaluationStage, ProgressTask>();
                return Evaluate((stage, done, total) =>
                {
                    if (!bars.TryGetValue(stage, out var bar)) bars[stage] = bar = context.AddTask(StageName(stage));
                    (bar.MaxValue, bar.Value) = (total, done);
                });
            });
            if (!parse.GetValue(json))
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"model {result.Model}: PSNR [green]{result.Psnr:F2} dB[/] over {result.Crops} crops (the encoder's code)");
                if (result.RefinedPsnr is double refined)
                    AnsiConsole.MarkupLineInterpolated(
                        $"from the code the editor starts from ({result.RefinementSteps} refinement steps): PSNR [green]{refined:F2} dB[/]");
                if (result.Pca25Psnr is double p25) AnsiConsole.MarkupLineInterpolated(
                    $"PCA-25 baseline {p25:F2} dB, PCA-100 baseline {result.Pca100Psnr:F2} dB (fitted on {result.PcaFitCrops} training crops)");
                string fittedGrid = result.FittedSampleGrid is double g ? $" (with fitted codes {g:F2})" : "";
                AnsiConsole.MarkupInterpolated($"grid pattern (2- and 4-pixel periods against their spectral neighbourhood): ");
                AnsiConsole.MarkupLineInterpolated($"samples {result.SampleGrid:F2}{fittedGrid}, the photos themselves {result.PhotoGrid:F2}");
                string fittedFrechet = result.FittedSampleFrechet is double f ? $", with fitted codes {f:F3}" : "";
                if (result.PhotoFrechet is double floor)
                    AnsiConsole.MarkupLineInterpolated(
                        $"thumbnail Fréchet distance to the crops: samples {result.SampleFrechet:F3}{fittedFrechet}, other crops {floor:F3}");
            }
            Console.WriteLine(JsonSerializer.Serialize(result, Json));
        });
        command.Subcommands.Add(CreateEdits());
        return command;
    }

    /// <summary><c>npe eval edits</c>: how natural the engine's edits are, against two plain brushes.</summary>
    static Command CreateEdits()
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Folder of photos to draw test strokes on (e.g. data/photos/heldout).",
            Required = true };
        var count = new Option<int>("--count") { Description = "Photos to use (three edits each), in name order.", DefaultValueFactory = _ => 8 };
        var seed = CommonOptions.Seed();
        var json = CommonOptions.Json();
        var stepSize = CommonOptions.StepSize();
        var colourMatch = CommonOptions.ColourMatch();
        var smoothing = CommonOptions.Smoothing();
        var context = CommonOptions.Context();
        var sceneFit = new Option<string?>("--scene-fit")
        {
            Description = $"Folder of training photos the thumbnail prior behind scene_cost is fitted on (default: {DefaultSceneFit} when it " +
                $"exists; without it scene_cost is left out).",
        };
        var overwrite = OutputGuard.OverwriteOption();
        var sheets = new Option<string?>("--sheets") { Description = "Folder for one sheet per edit: photo+strokes | result | the same with a flat " +
            "colour shift for the model's change | plain brush (with context: the local edit) | colour brush." };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of strokes, with seeds S, S+1, …; all edits are pooled.",
            DefaultValueFactory = _ => 1 };
        var against = CommonOptions.NotEmpty(new Option<string?>("--against") { Description = "A second model file: it edits the same photos with " +
            "the same strokes, and each figure's difference gets a 95 % paired bootstrap interval." });
        var againstStepSize = new Option<double?>("--against-step-size")
        {
            Description = "The second model's latent step size (default: --step-size's), to compare two models at the same strength when one moves " +
                "further per step.",
        };
        var refine = CommonOptions.RefineSteps();
        var device = CommonOptions.Device();
        var command = new Command("edits", "Score how natural edits look (fidelity, coverage, new edges, misaligned change, far change) and how " +
            "the photo follows them (follow, scene cost, the model's share) against a plain and a colour brush.")
            { model, data, count, seed, rounds, against, againstStepSize, json, sheets, overwrite, stepSize, colourMatch, smoothing, context,
                sceneFit, refine, device };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count);
            if (n < 1) throw new UserInputException("--count must be at least 1.");
            if (parse.GetValue(rounds) < 1) throw new UserInputException("--rounds must be at least 1.");
            if (parse.GetValue(againstStepSize) is not null && parse.GetValue(against) is null)
                throw new UserInputException("--against-step-size needs --against: it is the second model's step size.");
            using var loaded = ModelFile.Open(parse.GetValue(model), parse.GetValue(device)!);
            // The second model is opened before any editing, so a wrong path fails at once.
            using var other = parse.GetValue(against) is string second ? ModelFile.Open(second, parse.GetValue(device)!) : null;
            if (parse.GetValue(sheets) is string folder && !parse.GetValue(overwrite)
                && Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.png").Any())
                throw new UserInputException($"--sheets '{folder}' already holds sheets; pass --overwrite to replace them, or choose another " +
                    $"folder.");
            var settings = new EditSettings
            {
                StepSize = parse.GetValue(stepSize), ColourMatch = parse.GetValue(colourMatch), Smoothing = parse.GetValue(smoothing),
                Context = parse.GetValue(context),
            };
            settings.Validate();
            string? priorFolder = parse.GetValue(sceneFit) ?? (Directory.Exists(DefaultSceneFit) ? DefaultSceneFit : null);
            if (priorFolder is not null && !Directory.Exists(priorFolder)) throw new UserInputException($"--scene-fit: the folder '{priorFolder}' " +
                $"does not exist.");
            var prior = priorFolder is null ? null : ThumbnailPrior.Fit(EditEvaluation.Photos(priorFolder,
                int.MaxValue).Select(ImageFiles.Load).ToList());
            var otherSettings = settings with { StepSize = parse.GetValue(againstStepSize) ?? settings.StepSize };
            otherSettings.Validate();
            bool quiet = parse.GetValue(json);   // with --json, stdout carries the JSON line and nothing else
            EditEvaluationResult Evaluate(LoadedModel file, EditSettings with, string? sheetsFolder) =>
                WithProgress(quiet, $"editing with {ModelLabel.Of(file)}",
                progress => EditEvaluation.Run(file.Network, ModelLabel.Of(file), parse.GetValue(data)!, n, parse.GetValue(seed), file.Device,
                                               with, sheetsFolder, parse.GetValue(refine), progress, parse.GetValue(rounds), prior));
            var result = Evaluate(loaded, settings, parse.GetValue(sheets));
            if (other is not null)
            {
                WriteComparison(EditComparison.Compare(result, Evaluate(other, otherSettings, null)), quiet);
                return;
            }
            if (parse.GetValue(json)) { Console.WriteLine(JsonSerializer.Serialize(result, Json)); return; }
            var table = new Table().AddColumns("strokes", "method", "fidelity ↑", "coverage ↑", "new_edges ↓", "misaligned ↓", "far",
                                               "follow ↑", "scene_cost ↓", "model_share ↑");
            static string Figure(double? value) => value is double v ? $"{v:F3}" : "–";
            foreach (var kind in result.ByKind.Append(new KindScores("all", result.Edits, result.Neural, result.PlainBrush, result.ColourBrush)))
                foreach (var (name, s) in new[] { ("neural edit", kind.Neural), ("plain brush", kind.PlainBrush),
                    ("colour brush", kind.ColourBrush) })
                    table.AddRow(Markup.Escape(name == "neural edit" ? $"{kind.Kind} ({kind.Edits})" : ""), name, $"{s.Fidelity:F3}",
                        $"{s.Coverage:F3}",
                                 $"{s.NewEdges:F4}", $"{s.Misaligned:F3}", $"{s.Far:F3}", Figure(s.Follow), Figure(s.SceneCost),
                                     Figure(s.ModelShare));
            AnsiConsole.MarkupLineInterpolated($"{result.Edits} edits on {result.Data} with {result.Model}, context {settings.Context} (means):");
            AnsiConsole.Write(table);
        });
        return command;
    }

    /// <summary>Where <c>npe data fetch</c> puts the training photos: the thumbnail prior's default.</summary>
    const string DefaultSceneFit = "data/photos/train";

    static string StageName(EvaluationStage stage) => stage switch
    {
        EvaluationStage.EncoderCodes => "reconstructing from the encoder's codes",
        EvaluationStage.RefinedCodes => "refining the codes as the editor does",
        EvaluationStage.Baselines => "fitting the PCA baselines",
        _ => "drawing samples",
    };

    /// <summary>Runs <paramref name="work"/> under a progress bar (photos done of all), or silently.</summary>
    static EditEvaluationResult WithProgress(bool quiet, string description, Func<Action<int, int>?, EditEvaluationResult> work) =>
        quiet
            ? work(null)
            : AnsiConsole.Progress().Start(context =>
            {
                var task = context.AddTask(description);
                return work((done, total) => { task.MaxValue = total; task.Value = done; });
            });

    /// <summary>The comparison as a table (naming the step sizes when they differ), or one JSON line.</summary>
    static void WriteComparison(EditComparisonResult comparison, bool json)
    {
        if (json) { Console.WriteLine(JsonSerializer.Serialize(comparison, Json)); return; }
        var table = new Table().AddColumns("metric", Markup.Escape(comparison.Edits.Model), Markup.Escape(comparison.Against.Model), "difference",
            "95 % interval");
        foreach (var d in comparison.Differences)
            table.AddRow(d.Metric, $"{d.Mean:F5}", $"{d.AgainstMean:F5}", Signed(d.Difference),
                Markup.Escape($"[{Signed(d.Low)}, {Signed(d.High)}]"));
        var (first, second) = (comparison.Edits.StepSize, comparison.Against.StepSize);
        string strength = first == second ? "" : $", step sizes {first:0.###} and {second:0.###}";
        AnsiConsole.MarkupInterpolated($"{comparison.Edits.Edits} edits on {comparison.Edits.Data}, the same strokes for both models{strength} ");
        AnsiConsole.MarkupLine("(means; difference = first − second, paired bootstrap):");
        AnsiConsole.Write(table);
    }

    /// <summary>A difference with its sign, 5 decimals (new_edges is of the order of 10⁻⁴; "+0.00000" when it rounds to 0).</summary>
    static string Signed(double value)
    {
        string digits = Math.Abs(value).ToString("F5", System.Globalization.CultureInfo.InvariantCulture);
        return (value < 0 && digits != "0.00000" ? "−" : "+") + digits;
    }
}
