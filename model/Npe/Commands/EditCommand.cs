using System.CommandLine;
using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

static class EditCommand
{
    public const string DemoPhoto = "valley.jpg", DemoStrokes = "valley-strokes.png";
    /// <summary>Where the demo writes when no --out is given (relative to the current folder).</summary>
    public const string DemoFolder = "npe-output";

    public static Command Create()
    {
        var image = CommonOptions.NotEmpty(new Option<string?>("--image") { Description = "Photo to edit." });
        var strokes = CommonOptions.NotEmpty(new Option<string?>("--strokes") { Description = "RGBA image the photo's size: colour = target, alpha " +
            "= brush weight." });
        var roi = CommonOptions.Rectangle("--roi", "Region to edit: nothing outside it changes (default: around the strokes).");
        var stepSize = CommonOptions.StepSize();
        var steps = new Option<int>("--steps") { Description = "Gradient steps toward the strokes.", DefaultValueFactory = _ =>
            EditSettings.DefaultSteps };
        var sigma = new Option<double>("--sigma") { Description = "Mask softness: Gaussian blur in model pixels.", DefaultValueFactory = _ =>
            EditSettings.DefaultSigma };
        var maskGain = new Option<double>("--mask-gain") { Description = "Mask gain k in M = min(k·blur(|Δ|), 1); 1 is the paper's mask.",
            DefaultValueFactory = _ => EditSettings.DefaultMaskGain };
        var blend = CommonOptions.NamesOnly(new Option<BlendMode>("--blend") { Description = "guided (default): the change as a local colour " +
            "transform of the photo, edges and texture kept sharp; detail: the change upsampled and added; paper: the model's output upsampled and " +
            "blended in.", DefaultValueFactory = _ => BlendMode.Guided });
        var colourMatch = CommonOptions.ColourMatch();
        var smoothing = CommonOptions.Smoothing();
        var context = CommonOptions.Context();
        var mask = CommonOptions.NamesOnly(new Option<MaskMode>("--mask") { Description = "edgeaware (default): the paper's mask limited to what " +
            "belongs with the strokes, stopping at the photo's edges; paper: the paper's mask alone.", DefaultValueFactory = _ =>
            MaskMode.EdgeAware });
        var output = CommonOptions.NotEmpty(new Option<string?>("--out") { Description = $"Where to write the result (never an existing file or " +
            $"the input, unless --overwrite). Default with --demo: {DemoFolder}/demo-edit.png, numbered so nothing is replaced." });
        var sheet = new Option<string?>("--sheet") { Description = "Also write a before/after sheet: photo, strokes, result, mask (default name: " +
            "OUT-sheet.png).", Arity = ArgumentArity.ZeroOrOne };
        var overwrite = OutputGuard.OverwriteOption();
        var demo = new Option<bool>("--demo") { Description = "Edit the bundled sample photo with the bundled strokes." };
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();

        var refine = CommonOptions.RefineSteps();
        var command = new Command("edit", "Edit a photo with rough colour strokes: the strokes become gradient steps in the model's latent space, " +
            "and the change is blended back naturally.")
            { image, strokes, roi, stepSize, steps, sigma, maskGain, blend, mask, colourMatch, smoothing, context, refine, output, sheet, overwrite,
                demo, model, device };
        command.SetAction(parse =>
        {
            bool isDemo = parse.GetValue(demo);
            string demoFolder = Path.Combine(AppContext.BaseDirectory, "demo");
            string imagePath = parse.GetValue(image) ?? (isDemo ? Path.Combine(demoFolder, DemoPhoto) : throw new UserInputException("--image is " +
                "required (or use --demo)."));
            string strokesPath = parse.GetValue(strokes)
                ?? (isDemo ? Path.Combine(demoFolder, DemoStrokes) : throw new UserInputException("--strokes is required (or use --demo)."));
            string outPath = parse.GetValue(output) ?? (isDemo ? OutputGuard.FreshPath(DemoFolder, "demo-edit.png")
                : throw new UserInputException("--out is required."));
            string? sheetPath = parse.GetValue(sheet)
                ?? (parse.GetResult(sheet) is not null ? OutputGuard.SheetPathFor(outPath) : null);
            bool mayOverwrite = parse.GetValue(overwrite);
            OutputGuard.Check(outPath, "--out", mayOverwrite, imagePath, strokesPath);
            if (sheetPath is not null) OutputGuard.Check(sheetPath, "--sheet", mayOverwrite, imagePath, strokesPath);

            var settings = new EditSettings
            {
                StepSize = parse.GetValue(stepSize), Steps = parse.GetValue(steps), Sigma = parse.GetValue(sigma),
                    MaskGain = parse.GetValue(maskGain), Blend = parse.GetValue(blend), Mask = parse.GetValue(mask),
                ColourMatch = parse.GetValue(colourMatch), Smoothing = parse.GetValue(smoothing), Context = parse.GetValue(context),
            };
            settings.Validate();
            // Both sizes come from the headers first: a strokes file of the wrong size (or a huge one)
            // is refused before either image is decoded.
            var photoSize = ImageFiles.ReadSize(imagePath);
            var strokesSize = ImageFiles.ReadSize(strokesPath);
            if (photoSize != strokesSize)
                throw new UserInputException($"The strokes image '{strokesPath}' is {strokesSize.Width}×{strokesSize.Height} but the photo is " +
                    $"{photoSize.Width}×{photoSize.Height}; they must be the same size.");
            var photo = ImageFiles.Load(imagePath);
            var strokeImage = ImageFiles.Load(strokesPath);

            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var service = new EditService();
            var outcome = service.Run(new EditRequest
            {
                Photo = photo, Strokes = strokeImage, Selection = parse.GetValue(roi), Settings = settings,
                Device = parse.GetValue(device)!, ModelPath = parse.GetValue(model), RefinementSteps = parse.GetValue(refine),
            });
            watch.Stop();
            if (outcome.Edit is not EditResult result) throw new UserInputException(outcome.Problem ?? "The edit produced no result.");

            ImageFiles.Save(outcome.ApplyTo(photo), outPath);
            var area = result.Area.Bounds with { X = result.Area.Bounds.X + outcome.Bounds.X, Y = result.Area.Bounds.Y + outcome.Bounds.Y };
            string scene = result.Scene is null ? "" : ", and the whole scene";
            AnsiConsole.MarkupInterpolated($"Edited area {area} ({result.Area.Windows.Count} window(s){scene}) of {photo.Width}×{photo.Height} ");
            AnsiConsole.MarkupLineInterpolated(
                $"in {watch.ElapsedMilliseconds} ms ({settings.Steps} steps, η = {settings.StepSize}) → [green]{outPath}[/]");
            if (sheetPath is not null)
            {
                ImageFiles.Save(EditSheet.Build(photo, strokeImage, outcome), sheetPath);
                AnsiConsole.MarkupLineInterpolated($"Before/after sheet → [green]{sheetPath}[/]");
            }
        });
        return command;
    }
}
