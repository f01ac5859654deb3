using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// Everything that defines an IAN's topology. Serialised as JSON into every model file, so a file
/// alone is enough to rebuild its network. Widths are listed per resolution, coarsest last for the
/// trunk and first for the generator.
/// </summary>
public sealed record IanConfig
{
    public string Name { get; init; } = "custom";
    /// <summary>Side of the square images the model sees (a power of two, ≥ 16).</summary>
    public int ImageSize { get; init; } = 64;
    public int LatentSize { get; init; } = 100;

    /// <summary>Output channels of the trunk's stride-2 convolutions; one per halving down to 4 px.</summary>
    public int[] TrunkWidths { get; init; } = [128, 256, 512, 1024];
    public int TrunkKernel { get; init; } = 5;
    public int EncoderHidden { get; init; } = 1000;
    public int MinibatchKernels { get; init; } = 500;
    public int MinibatchKernelDims { get; init; } = 5;
    /// <summary>3 = the full IAN's ternary real / reconstructed / generated discriminator.</summary>
    public int DiscriminatorClasses { get; init; } = 3;

    /// <summary>Channels at 4 px after the dense layer, then after each stride-2 transposed convolution
    /// up to half the image size.</summary>
    public int[] GeneratorWidths { get; init; } = [1024, 512, 256, 128];
    public int GeneratorKernel { get; init; } = 5;
    /// <summary>
    /// How the generator doubles its resolution. "transposed" (the paper's, and every model file
    /// written before this option existed): stride-2 transposed convolutions of GeneratorKernel.
    /// "resize": nearest-neighbour ×2 then a 3×3 convolution (Odena, Dumoulin &amp; Olah 2016), which
    /// cannot produce the transposed convolution's checkerboard — uneven kernel overlap is what
    /// paints a 2-pixel grid into flat skies. "bilinear": the same with a bilinear ×2, whose output
    /// varies smoothly between input pixels, so the narrow convolutions after it need not smooth away
    /// nearest-neighbour blocks (which left a soft plaid in flat areas).
    /// </summary>
    public string Upsampling { get; init; } = TransposedUpsampling;
    public const string TransposedUpsampling = "transposed", ResizeUpsampling = "resize", BilinearUpsampling = "bilinear";
    /// <summary>True when each upsampling is a resize then a convolution ("resize" or "bilinear").</summary>
    [JsonIgnore] public bool ResizesThenConvolves => Upsampling is ResizeUpsampling or BilinearUpsampling;
    /// <summary>MDC scales of the residual block after each upsampling (index i = after the i-th
    /// transposed convolution); an empty list means no block at that resolution.</summary>
    public int[][] GeneratorMdcScales { get; init; } = [[0, 2], [0, 2, 3], [0, 2, 3]];
    /// <summary>Channels of the last transposed convolution (full resolution) that feed the output layer.</summary>
    public int OutputFeatures { get; init; } = 64;
    /// <summary>RGB-Beta output (true) or a plain tanh convolution (false).</summary>
    public bool RgbBeta { get; init; } = true;
    public int[] RgbBetaScales { get; init; } = [2, 3, 4];
    /// <summary>
    /// What the decoder's convolutions read beyond the image's border. "zeros" (the paper's, and every
    /// model file written before this option existed). "reflect": the image mirrored at its border.
    /// Why: the RGB-Beta output's dilated kernels read up to 4 pixels past the border, and zeros there
    /// drew a bright frame round every reconstruction, which on smooth photos was most of the error
    /// (model card, "Border").
    /// </summary>
    public string DecoderPadding { get; init; } = ZeroPadding;
    public const string ZeroPadding = "zeros", ReflectPadding = "reflect";
    [JsonIgnore] public bool ReflectsBorders => DecoderPadding == ReflectPadding;

    /// <summary>The paper's topology and widths (61.7 M parameters at 64 px): slow on a CPU.</summary>
    public static IanConfig Paper => new() { Name = "ian-paper" };

    /// <summary>
    /// The default: the same components, narrowed for a 2-core CPU (see docs/speed.md): 4×4
    /// kernels instead of 5×5, an eighth of the generator's widths and a quarter of the trunk's,
    /// MDC blocks at 8 and 16 px. Full resolution is where the CPU time goes (the RGB-Beta output),
    /// so the generator's last layers are the narrowest.
    /// </summary>
    public static IanConfig Cpu => new()
    {
        Name = "ian-cpu",
        TrunkWidths = [32, 64, 128, 256],
        TrunkKernel = 4,
        EncoderHidden = 512,
        MinibatchKernels = 100,
        MinibatchKernelDims = 5,
        GeneratorWidths = [96, 48, 24, 8],
        GeneratorKernel = 4,
        GeneratorMdcScales = [[0, 2], [0, 2], []],
        OutputFeatures = 4,
    };

    /// <summary>A tiny network for tests: every component, a fraction of the cost.</summary>
    public static IanConfig Tiny => new()
    {
        Name = "ian-tiny",
        ImageSize = 32,
        LatentSize = 16,
        TrunkWidths = [8, 16, 32],
        TrunkKernel = 4,
        EncoderHidden = 32,
        MinibatchKernels = 8,
        MinibatchKernelDims = 3,
        GeneratorWidths = [32, 16, 8],
        GeneratorKernel = 4,
        GeneratorMdcScales = [[0, 2], [0, 2, 3]],
        OutputFeatures = 8,
    };

    /// <summary>ian-cpu with the resize-convolution decoder (no checkerboard) and 3×3 generator kernels.</summary>
    public static IanConfig CpuResize => Cpu with { Name = "ian-cpu-resize", Upsampling = ResizeUpsampling, GeneratorKernel = 3 };

    /// <summary>ian-cpu-resize with bilinear instead of nearest-neighbour resizing (the same weights).</summary>
    public static IanConfig CpuBilinear => CpuResize with { Name = "ian-cpu-bilinear", Upsampling = BilinearUpsampling };

    /// <summary>This config with the other resize of a resize-convolution decoder: every weight keeps its
    /// shape, so a trained model can be fine-tuned with it. Null when that is not such a change.</summary>
    public IanConfig? WithResize(string upsampling) =>
        ResizesThenConvolves && upsampling is ResizeUpsampling or BilinearUpsampling ? this with { Upsampling = upsampling } : null;

    public static IReadOnlyDictionary<string, IanConfig> Named { get; } = new Dictionary<string, IanConfig>
    {
        ["ian-cpu"] = Cpu,
        ["ian-cpu-resize"] = CpuResize,
        ["ian-cpu-bilinear"] = CpuBilinear,
        ["ian-paper"] = Paper,
        ["ian-tiny"] = Tiny,
    };

    /// <summary>A named config, or a JSON file holding one.</summary>
    public static IanConfig FromNameOrFile(string nameOrPath) =>
        Named.ContainsKey(nameOrPath) || !File.Exists(nameOrPath) ? FromName(nameOrPath) : FromJson(File.ReadAllText(nameOrPath));

    public static IanConfig FromName(string name) =>
        Named.TryGetValue(name, out var config)
            ? config
            : throw new ArgumentException($"Unknown model config '{name}'. Known: {string.Join(", ", Named.Keys)}.");

    /// <summary>
    /// The same design at another image size: stages are dropped from (smaller) or added at (larger)
    /// the fine end of the trunk and the generator, halving widths outward.
    /// </summary>
    public IanConfig WithImageSize(int size)
    {
        if (size == ImageSize) return this;
        var resized = this with { ImageSize = size };
        int stages = resized.Stages, delta = stages - Stages;
        if (delta < 0)
            return resized with
            {
                TrunkWidths = TrunkWidths[(-delta)..],
                GeneratorWidths = GeneratorWidths[..stages],
                GeneratorMdcScales = GeneratorMdcScales[..(stages - 1)],
            };
        var trunk = TrunkWidths.ToList();
        var generator = GeneratorWidths.ToList();
        var scales = GeneratorMdcScales.ToList();
        for (int i = 0; i < delta; i++)
        {
            trunk.Insert(0, Math.Max(8, trunk[0] / 2));
            generator.Add(Math.Max(8, generator[^1] / 2));
            scales.Add([]);
        }
        return resized with { TrunkWidths = trunk.ToArray(), GeneratorWidths = generator.ToArray(), GeneratorMdcScales = scales.ToArray() };
    }

    /// <summary>Number of stride-2 stages between 4 px and the image size.</summary>
    [JsonIgnore] public int Stages => (int)Math.Log2(ImageSize / 4);

    /// <summary>
    /// Rejects configs that are inconsistent or absurdly large before any network is built, so a
    /// hostile or corrupt model file can't make us allocate gigabytes.
    /// </summary>
    public void Validate()
    {
        // DoesNotReturnIf: after Require(x is not null && …) the compiler knows x is not null.
        static void Require([DoesNotReturnIf(false)] bool ok, string message)
        {
            if (!ok) throw new InvalidDataException($"Invalid model config: {message}.");
        }
        Require(ImageSize is >= 16 and <= 512 && (ImageSize & (ImageSize - 1)) == 0, $"image size {ImageSize} must be a power of two from 16 to 512");
        Require(LatentSize is >= 1 and <= 4096, $"latent size {LatentSize} must be from 1 to 4096");
        Require(TrunkWidths is not null && TrunkWidths.Length == Stages, $"trunk needs {Stages} widths for {ImageSize} px");
        Require(GeneratorWidths is not null && GeneratorWidths.Length == Stages, $"generator needs {Stages} widths for {ImageSize} px");
        Require(GeneratorMdcScales is not null && GeneratorMdcScales.Length == Stages - 1, $"generator needs {Stages - 1} MDC scale lists");
        Require(TrunkWidths!.All(w => w is >= 1 and <= 4096) && GeneratorWidths!.All(w => w is >= 1 and <= 4096), "widths must be from 1 to 4096");
        Require(GeneratorMdcScales!.All(s => s is not null && s.All(v => v is >= 0 and <= 16) && s.Distinct().Count() == s.Length),
            "MDC scales must be distinct, from 0 to 16");
        Require(RgbBetaScales is not null && RgbBetaScales.All(v => v is >= 1 and <= 16), "RGB-Beta scales must be from 1 to 16");
        Require(TrunkKernel is >= 2 and <= 7 && GeneratorKernel is >= 2 and <= 7, "kernels must be from 2 to 7");
        Require(!ResizesThenConvolves || GeneratorKernel % 2 == 1, "a resize decoder needs an odd generator kernel");
        Require(EncoderHidden is >= 1 and <= 8192, "encoder hidden width must be from 1 to 8192");
        Require(MinibatchKernels is >= 0 and <= 2048 && MinibatchKernelDims is >= 1 and <= 64, "minibatch discrimination size out of range");
        Require(DiscriminatorClasses is 2 or 3, "discriminator classes must be 2 or 3");
        Require(Upsampling is TransposedUpsampling || ResizesThenConvolves, $"upsampling must be '{TransposedUpsampling}', '{ResizeUpsampling}' or " +
            $"'{BilinearUpsampling}'");
        Require(OutputFeatures is >= 1 and <= 1024, "output features must be from 1 to 1024");
        Require(DecoderPadding is ZeroPadding or ReflectPadding, $"decoder padding must be '{ZeroPadding}' or '{ReflectPadding}'");
        // A reflection reaches no further than the image: every padding stays below the map's side (≥ 8 px).
        Require(!ReflectsBorders || (GeneratorMdcScales.All(s => s.All(v => v < 8)) && RgbBetaScales.All(v => v < 8) && GeneratorKernel <= 7),
                "a reflecting decoder needs MDC and RGB-Beta scales below 8");
    }

    static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static IanConfig FromJson(string json)
    {
        IanConfig? config;
        try { config = JsonSerializer.Deserialize<IanConfig>(json, JsonOptions); }
        catch (JsonException e)
        {
            // The reader's own message names .NET types and byte positions; say which entry is wrong instead.
            string entry = e.Path is null or "$" ? "" : e.Path.TrimStart('$', '.');
            throw new InvalidDataException(entry.Length == 0
                ? "its config is not a JSON object of model settings"
                : $"its config's {ModelFiles.SafeTensorsHeader.Quote(entry)} holds the wrong kind of value");
        }
        if (config is null) throw new InvalidDataException("Invalid model config: empty.");
        config.Validate();
        return config;
    }
}
