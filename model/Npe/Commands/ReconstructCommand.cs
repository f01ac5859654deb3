using System.CommandLine;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using Spectre.Console;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Cli.Commands;

static class ReconstructCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var image = new Option<string>("--image") { Description = "Photo to encode and decode.", Required = true };
        var output = new Option<string>("--out") { Description = "Sheet to write: the photo, its reconstruction from the encoder's code and (with " +
            "--refine-steps above 0) from the refined code the editor starts from.", Required = true };
        var overwrite = OutputGuard.OverwriteOption();
        var refine = CommonOptions.RefineSteps();
        var device = CommonOptions.Device();
        var command = new Command("reconstruct",
            "Encode a photo's central square at the model's resolution and decode it again; prints the PSNR.")
            { model, image, output, overwrite, refine, device };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            int refinementSteps = parse.GetValue(refine);
            PhotoCodes.CheckSteps(refinementSteps);
            OutputGuard.Check(path, "--out", parse.GetValue(overwrite), parse.GetValue(image)!);
            using var loaded = ModelFile.Open(parse.GetValue(model), parse.GetValue(device)!);
            var dev = loaded.Device;
            int size = loaded.Config.ImageSize;
            var photo = ImageFiles.Load(parse.GetValue(image)!);
            int side = Math.Min(photo.Width, photo.Height);
            var square = new PixelRect((photo.Width - side) / 2, (photo.Height - side) / 2, side, side);

            using var scope = NewDisposeScope();
            // The editor's own resampler, so the PSNR is the one `npe eval` and the editor see.
            var x = tensor(Resampling.ToModelPlanes(photo, square, size, alphaWeighted: false), [1, 3, size, size], device: dev);
            const int zoom = 4;
            var panels = new List<Imaging.RgbaImage> { ImageFiles.Resize(ImageTensors.ToImage(x), size * zoom, size * zoom) };
            var psnrs = new List<string>();
            foreach (int steps in refinementSteps > 0 ? [0, refinementSteps] : new[] { 0 })
            {
                var code = PhotoCodes.Encode(loaded.Network, x, steps);
                using var _ = no_grad();
                var reconstruction = loaded.Network.Decode(code);
                panels.Add(ImageFiles.Resize(ImageTensors.ToImage(reconstruction), size * zoom, size * zoom));
                double psnr = Psnr.FromPlanes(ImageTensors.ToPlanes(x), ImageTensors.ToPlanes(reconstruction));
                psnrs.Add(steps == 0 ? $"encoder's code {psnr:F2} dB" : $"refined ({steps} steps) {psnr:F2} dB");
            }
            ImageFiles.Save(ImageGrid.FromImages(panels, panels.Count), path);
            AnsiConsole.MarkupLineInterpolated($"PSNR at {size}×{size}: {string.Join(", ", psnrs)} → [green]{path}[/]");
        });
        return command;
    }
}
