using System.Diagnostics;
using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Benchmarks;

public sealed record EditBenchmarkResult(string Model, double StepMs, double EncodeMs, double DecodeMs,
                                         [property: System.Text.Json.Serialization.JsonPropertyName("edit_12mp_ms")] double Edit12MpMs,
                                         [property: System.Text.Json.Serialization.JsonPropertyName("edit_wide_ms")] double EditWideMs,
                                         double PeakMb, int Threads, string Device)
{
    /// <summary>Floating-point operations of one decode (<see cref="NetworkSize.DecodeFlops"/>), in millions.</summary>
    public double DecodeMflop { get; init; }
    /// <summary>What the batch-1 decode achieves: <see cref="DecodeMflop"/> per <see cref="DecodeMs"/>.</summary>
    public double DecodeGflops { get; init; }

    /// <summary>The code an edit starts from, for one window: the encoder's mean refined by
    /// <see cref="PhotoCodes.DefaultRefinementSteps"/> steps (<see cref="PhotoCodes"/>), paid once per area.</summary>
    public double PhotoCodeMs { get; init; }

    /// <summary>A whole edit of a stroke across the sky of the 12-megapixel photo with the default context:
    /// the model also sees the whole photo, and the scene's change reaches all of it.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("edit_sky_12mp_ms")]
    public double EditSky12MpMs { get; init; }
    /// <summary>The same edit at context 0 (the local edit), in the same run: the cost of the scene.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("edit_sky_12mp_local_ms")]
    public double EditSky12MpLocalMs { get; init; }

    /// <summary>The decode and the latent step by the decoder's own layers in evaluation mode, in the same run:
    /// what the inference decoder (<see cref="Networks.Inference.InferenceDecoder"/>) saves.</summary>
    public double DecodePlainMs { get; init; }
    public double StepPlainMs { get; init; }

    /// <summary>CPU-bound processes that ran beside the benchmark (set by the front end that started them).</summary>
    public int Background { get; init; }
}

/// <summary>
/// Times the editor: one latent step, one encode, the refined photo code and one decode at the
/// model's resolution (medians),
/// a whole edit of a 12-megapixel (4000×3000) photo with a 512×512 region and 20 steps — from
/// pixels in memory to the blended result, file I/O excluded — and a whole edit of a stroke across
/// the full width of a 6000×2000 photo (the work area chosen around the strokes: several windows);
/// and a stroke across the sky of the 12-megapixel photo with and without context (the scene).
/// </summary>
public static class EditBenchmark
{
    public static EditBenchmarkResult Run(IntrospectiveAdversarialNetwork network, string modelName, Device device, int repeats = 30)
    {
        int size = network.Config.ImageSize;
        network.eval();
        using var x = rand([1, 3, size, size], device: device).Times(2).Minus(1);
        using var target = zeros([1, 3, size, size], device: device);
        using var z0 = randn([1, network.Config.LatentSize], device: device);

        double encode = Timing.Median(repeats, () =>
            { using var _ = no_grad(); using var s = NewDisposeScope(); using var t = TorchRuntime.ThreadsForWindows(1); network.Encode(x); });
        double decode = DecodeTime(network.Decode, z0, repeats);
        double step = Timing.Median(repeats, () => LatentStep(network, z0, target));
        double decodePlain = DecodeTime(network.Decoder.forward, z0, repeats);
        double stepPlain = Timing.Median(repeats, () => LatentStep(network.Decoder.forward, z0, target));
        double photoCode = Timing.Median(Math.Max(3, repeats / 5), () =>
            { using var s = NewDisposeScope(); using var t = TorchRuntime.ThreadsForWindows(1); PhotoCodes.Encode(network, x); });

        var settings = new EditSettings { Steps = 20 };
        var twelve = SyntheticPhoto(4000, 3000);
        double whole = WholeEdit(network, device, settings, twelve, new PixelRect(1800, 1400, 400, 200),
                                 roi: new PixelRect(1744, 1244, 512, 512));
        double wide = WholeEdit(network, device, settings, SyntheticPhoto(6000, 2000), new PixelRect(100, 150, 5800, 80), roi: null);
        var sky = new PixelRect(300, 300, 3400, 120);
        double skyScene = WholeEdit(network, device, new EditSettings { Steps = 20, Context = 1 }, twelve, sky, roi: null);
        double skyLocal = WholeEdit(network, device, new EditSettings { Steps = 20, Context = 0 }, twelve, sky, roi: null);

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        double flops = NetworkSize.DecodeFlops(network.Config);
        int stepThreads;
        using (TorchRuntime.ThreadsForWindows(1)) stepThreads = get_num_threads();
        return new EditBenchmarkResult(modelName, Round(step), Round(encode), Round(decode), Round(whole), Round(wide),
            Math.Round(process.PeakWorkingSet64 / 1048576.0), stepThreads, device.ToString())
        {
            DecodeMflop = Math.Round(flops / 1e6, 1),
            DecodeGflops = Math.Round(flops / (decode * 1e6), 2),
            PhotoCodeMs = Round(photoCode),
            EditSky12MpMs = Round(skyScene),
            EditSky12MpLocalMs = Round(skyLocal),
            DecodePlainMs = Round(decodePlain),
            StepPlainMs = Round(stepPlain),
        };
    }

    static double DecodeTime(Func<Tensor, Tensor> decode, Tensor z, int repeats) => Timing.Median(repeats, () =>
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var threads = TorchRuntime.ThreadsForWindows(1);
        decode(z);
    });

    /// <summary>The editor's latent step (batch 1): decode z, squared error against a target, the
    /// gradient toward z, and the moved code — what every paint step does. The step PyTorch's peer
    /// benchmark times too.</summary>
    public static void LatentStep(IntrospectiveAdversarialNetwork network, Tensor z0, Tensor target) => LatentStep(network.Decode, z0, target);

    static void LatentStep(Func<Tensor, Tensor> decode, Tensor z0, Tensor target)
    {
        using var s = NewDisposeScope();
        using var threads = TorchRuntime.ThreadsForWindows((int)z0.shape[0]);
        var z = z0.detach().requires_grad_(true);
        var loss = (decode(z) - target).Squared().mean();
        var g = autograd.grad([loss], [z])[0];
        (z.detach() - g.Times(0.1)).sum().item<float>();
    }

    /// <summary>Median time of a whole edit (open, paint, render) of <paramref name="photo"/> with one
    /// opaque blue stroke over <paramref name="stroke"/>; <paramref name="roi"/> null = the area around it.</summary>
    static double WholeEdit(IntrospectiveAdversarialNetwork network, Device device, EditSettings settings, RgbaImage photo,
                            PixelRect stroke, PixelRect? roi)
    {
        var strokes = new RgbaImage(photo.Width, photo.Height);
        for (int y = stroke.Y; y < stroke.Bottom; y++)
            for (int x = stroke.X; x < stroke.Right; x++)
            {
                int o = strokes.Offset(x, y);
                strokes.Pixels[o] = 40; strokes.Pixels[o + 1] = 90; strokes.Pixels[o + 2] = 200; strokes.Pixels[o + 3] = 255;
            }
        return Timing.Median(3, () =>
        {
            using var session = EditSession.Open(network, photo, roi, strokes, device, withScene: settings.SeesScene);
            session.Paint(strokes, settings);
            session.Render(settings);
        });
    }

    /// <summary>A smooth gradient with texture: content doesn't change the cost, only the size does.</summary>
    internal static RgbaImage SyntheticPhoto(int width, int height)
    {
        var image = new RgbaImage(width, height);
        Parallel.For(0, height, y =>
        {
            for (int x = 0; x < width; x++)
            {
                int o = image.Offset(x, y);
                image.Pixels[o] = (byte)(x * 255 / width);
                image.Pixels[o + 1] = (byte)(y * 255 / height);
                image.Pixels[o + 2] = (byte)((x ^ y) & 255);
                image.Pixels[o + 3] = 255;
            }
        });
        return image;
    }

    static double Round(double ms) => Math.Round(ms, 2);
}
