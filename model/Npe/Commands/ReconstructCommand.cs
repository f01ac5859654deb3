using System.CommandLine;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using Spectre.Console;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Cli.Commands;

static class ReconstructCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var image = new Option<string>("--image") { Description = "Photo to encode and decode.", Required = true };
        var output = new Option<string>("--out") { Description = "Sheet to write: photo (left) and reconstruction (right).", Required = true };
        var overwrite = OutputGuard.OverwriteOption();
        var device = CommonOptions.Device();
        var command = new Command("reconstruct",
            "Encode a photo's central square at the model's resolution and decode it again; prints the PSNR.")
            { model, image, output, overwrite, device };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            OutputGuard.Check(path, "--out", parse.GetValue(overwrite), parse.GetValue(image)!);
            using var loaded = ModelFile.Open(parse.GetValue(model), parse.GetValue(device)!);
            var dev = loaded.Device;
            int size = loaded.Config.ImageSize;
            var photo = ImageFiles.Load(parse.GetValue(image)!);
            int side = Math.Min(photo.Width, photo.Height);
            var square = new PixelRect((photo.Width - side) / 2, (photo.Height - side) / 2, side, side);

            using var _ = no_grad();
            // The editor's own resampler, so the PSNR is the one `npe eval` and the editor see.
            using var x = tensor(Resampling.ToModelPlanes(photo, square, size, alphaWeighted: false), [1, 3, size, size], device: dev);
            var input = ImageTensors.ToImage(x);
            using var reconstruction = loaded.Network.Decode(loaded.Network.Encode(x).Mean);
            var output8 = ImageTensors.ToImage(reconstruction);
            double psnr = Psnr.FromPlanes(ImageTensors.ToPlanes(x), ImageTensors.ToPlanes(reconstruction));

            const int zoom = 4;
            var sheet = ImageGrid.FromImages([ImageFiles.Resize(input, size * zoom, size * zoom), ImageFiles.Resize(output8, size * zoom, size * zoom)], 2);
            ImageFiles.Save(sheet, path);
            AnsiConsole.MarkupLineInterpolated($"PSNR {psnr:F2} dB at {size}×{size} → [green]{path}[/]");
        });
        return command;
    }
}
