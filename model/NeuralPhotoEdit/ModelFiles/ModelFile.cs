using TorchSharp;
using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.ModelFiles;

/// <summary>
/// An IAN in one safetensors file: the config (JSON) and facts about training in the metadata, every
/// parameter and batch-norm buffer as a tensor. No pickle, nothing executable.
/// </summary>
public static class ModelFile
{
    public const string Format = "neural-photo-edit/ian";
    public const string FormatVersion = "1";
    public const string ConfigKey = "config";
    /// <summary>Names of the optimiser tensors a training checkpoint adds to a model file's.</summary>
    public const string CheckpointTensorPrefix = "adam.";

    public static void Save(string path, IntrospectiveAdversarialNetwork network,
                            IReadOnlyDictionary<string, string>? facts = null, bool halfPrecision = false,
                            IEnumerable<(string Name, Tensor Tensor)>? extraTensors = null, CodeDistribution? codes = null)
    {
        var metadata = new Dictionary<string, string>(facts ?? new Dictionary<string, string>())
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion,
            [ConfigKey] = network.Config.ToJson(),
        };
        var tensors = network.state_dict().Select(kv => (kv.Key, kv.Value));
        if (extraTensors is not null) tensors = tensors.Concat(extraTensors);
        var codeTensors = codes?.ToTensors().ToArray() ?? [];
        SafeTensorsFile.Write(path, metadata, tensors.Concat(codeTensors), halfPrecision);
        foreach (var (_, tensor) in codeTensors) tensor.Dispose();
    }

    /// <summary>
    /// How every front end opens a model: the file at <paramref name="path"/> (null: the shipped
    /// default) on the device named by <paramref name="device"/> (<see cref="Devices.Choices"/>).
    /// </summary>
    public static LoadedModel Open(string? path, string device) => Load(DefaultModel.Resolve(path), Devices.Resolve(device));

    /// <summary>
    /// Loads a model for inference (eval mode, inference weights prepared: see
    /// <see cref="IntrospectiveAdversarialNetwork.PrepareForInference"/>) on <paramref name="device"/>
    /// (default: the CPU). The file is fully validated first; any problem is a
    /// <see cref="ModelFileException"/> naming the file. <paramref name="adjust"/> changes the config
    /// before the network is built, keeping every tensor's shape (see <see cref="BuildFromHeader"/>).
    /// </summary>
    public static LoadedModel Load(string path, Device? device = null, Func<IanConfig, IanConfig>? adjust = null)
    {
        device ??= CPU;
        TorchRuntime.EnsureInitialised();
        var header = SafeTensorsHeader.Read(path);
        var network = BuildFromHeader(header, adjust: adjust);
        try
        {
            CodeDistribution? codes;
            using (var stream = SafeTensorsHeader.OpenForReading(path))
            {
                LoadWeights(network, header, stream, ignorePrefix: null);
                codes = ReadCodeDistribution(header, stream, network.Config.LatentSize);
            }
            network.to(device);
            network.PrepareForInference();
            CheckDecodesFinite(network, device, path);
            return new LoadedModel(path, network, header.Metadata, device, codes, header.Tensors.Values.Any(t => t.DType == "F16"));
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a fixed probe — the zero code and seven seeded codes from the prior decoded, two seeded
    /// random images encoded and their codes decoded — and refuses the file when any value is NaN or
    /// infinite. Finite weights can still overflow (the fuzz campaign found six mutated files that
    /// decoded a random image to NaN); found here, in words, instead of by luck in an edit.
    /// </summary>
    static void CheckDecodesFinite(IntrospectiveAdversarialNetwork network, Device device, string path)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var generator = new TorchSharp.torch.Generator(0, device);
        int size = network.Config.ImageSize, latent = network.Config.LatentSize;
        network.eval();
        var codes = cat([zeros(1, latent, device: device), randn([7, latent], generator: generator, device: device)], 0);
        var images = rand([2, 3, size, size], generator: generator, device: device).Times(2).Minus(1);
        var (mean, logSigma) = network.Encode(images);
        bool finite = network.Decode(codes).isfinite().all().item<bool>()
                      && mean.isfinite().all().item<bool>() && logSigma.isfinite().all().item<bool>()
                      && network.Decode(mean).isfinite().all().item<bool>();
        if (!finite) throw new ModelFileException(path, "is damaged: it turns ordinary codes or images into invalid values (NaN or infinity)");
    }

    /// <summary>Checks the metadata and builds the (untrained) network the file's config describes, or
    /// <paramref name="adjust"/>'s change of it (which must keep every tensor's shape).</summary>
    public static IntrospectiveAdversarialNetwork BuildFromHeader(SafeTensorsHeader header, string? ignorePrefix = null,
                                                                  Func<IanConfig, IanConfig>? adjust = null)
    {
        ModelFileException Bad(string problem) => new(header.Path, problem);
        if (!header.Metadata.TryGetValue("format", out var format) || format != Format)
            throw Bad("is not a Neural Photo Edit model (its metadata does not name the format)");
        if (!header.Metadata.TryGetValue("format_version", out var version) || version != FormatVersion)
            throw Bad($"has format version {SafeTensorsHeader.Quote(version ?? "(none)")}; this program reads version {FormatVersion}");
        if (!header.Metadata.TryGetValue(ConfigKey, out var configJson))
            throw Bad("has no model config in its metadata");
        IanConfig config;
        try { config = IanConfig.FromJson(configJson); }
        catch (InvalidDataException e) { throw Bad($"has an unusable config: {e.Message}"); }
        CheckSize(header, config, ignorePrefix);
        return new IntrospectiveAdversarialNetwork(adjust is null ? config : adjust(config));
    }

    /// <summary>Refuses, before anything is allocated, a config too large to load or one far larger
    /// than the values the file actually holds.</summary>
    static void CheckSize(SafeTensorsHeader header, IanConfig config, string? ignorePrefix)
    {
        ModelFileException Bad(string problem) => new(header.Path, problem);
        long expected = NetworkSize.StateElements(config);
        if (expected > NetworkSize.MaxStateElements)
            throw Bad($"describes a network of {expected / 1e6:F0} M values, more than the {NetworkSize.MaxStateElements / 1e6:F0} M this program " +
                $"loads");
        if (NetworkSize.ActivationElements(config) > NetworkSize.MaxActivationElements)
            throw Bad("describes a network whose activations would not fit in memory");
        long stored = header.Tensors.Values
            .Where(entry => ignorePrefix is null || !entry.Name.StartsWith(ignorePrefix, StringComparison.Ordinal))
            .Sum(entry => entry.ElementCount);
        // A small mismatch is left to LoadWeights, which names the tensor; a config describing far more
        // than the file holds is refused here, before building a network only to throw it away.
        if (expected - stored > 1_000_000)
            throw Bad($"holds {stored:N0} values but its config describes a network of {expected:N0}: the file is damaged or was not written for " +
                $"this config");
    }

    /// <summary>
    /// Copies the file's tensors into the network after checking that every tensor the network needs
    /// is present with the right shape and a compatible dtype, that there are no unknown tensors
    /// (other than those under <paramref name="ignorePrefix"/>), and that every weight is finite.
    /// </summary>
    public static void LoadWeights(IntrospectiveAdversarialNetwork network, SafeTensorsHeader header, Stream stream, string? ignorePrefix)
    {
        ModelFileException Bad(string problem) => new(header.Path, problem);
        var expected = network.state_dict();
        foreach (var name in header.Tensors.Keys)
        {
            if (ignorePrefix is not null && name.StartsWith(ignorePrefix, StringComparison.Ordinal)) continue;
            if (!expected.ContainsKey(name) && !CodeDistribution.IsTensorName(name))
                throw Bad(name.StartsWith(CheckpointTensorPrefix, StringComparison.Ordinal)
                    ? "is a training checkpoint, not a model; use the model.safetensors written beside it"
                    : $"has tensor {SafeTensorsHeader.Quote(name)}, which the config's network does not have");
        }
        foreach (var (name, target) in expected)
        {
            if (!header.Tensors.TryGetValue(name, out var entry)) throw Bad($"is missing tensor {SafeTensorsHeader.Quote(name)}");
            if (!entry.Shape.SequenceEqual(target.shape))
                throw Bad($"has tensor {SafeTensorsHeader.Quote(name)} of shape {SafeTensorsHeader.DescribeShape(entry.Shape)}, expected " +
                    $"{SafeTensorsHeader.DescribeShape(target.shape)}");
            bool targetIsFloat = target.is_floating_point();
            bool entryIsFloat = entry.DType is "F32" or "F16" or "BF16" or "F64";
            if (targetIsFloat != entryIsFloat)
                throw Bad($"has tensor {SafeTensorsHeader.Quote(name)} of dtype {entry.DType}, expected a " +
                    $"{(targetIsFloat ? "floating-point" : "integer")} tensor");
        }
        using var _ = no_grad();
        foreach (var (name, target) in expected)
        {
            // The scope keeps the temporaries (isfinite's mask, all's result) referenced until the
            // native calls that read them return; see Scalars for why that matters.
            using var scope = NewDisposeScope();
            var stored = SafeTensorsFile.ReadTensor(header, stream, header.Tensors[name]);
            if (target.is_floating_point() && !stored.isfinite().all().item<bool>())
                throw Bad($"has non-finite values (NaN or infinity) in tensor {SafeTensorsHeader.Quote(name)}");
            target.copy_(stored);
        }
    }

    /// <summary>The file's code distribution (<see cref="CodeDistribution"/>), validated, or null when it
    /// has none; half of one, a wrong shape or a value that makes no distribution is a damaged file.</summary>
    static CodeDistribution? ReadCodeDistribution(SafeTensorsHeader header, Stream stream, int latentSize)
    {
        ModelFileException Bad(string problem) => new(header.Path, problem);
        bool hasMean = header.Tensors.TryGetValue(CodeDistribution.MeanTensor, out var meanEntry);
        bool hasScale = header.Tensors.TryGetValue(CodeDistribution.ScaleTensor, out var scaleEntry);
        foreach (var name in header.Tensors.Keys.Where(CodeDistribution.IsTensorName))
            if (name is not (CodeDistribution.MeanTensor or CodeDistribution.ScaleTensor))
                throw Bad($"has tensor {SafeTensorsHeader.Quote(name)}, which no code distribution has");
        if (!hasMean && !hasScale) return null;
        if (!hasMean || !hasScale) throw Bad("has half of a code distribution (its mean and its scale come together)");
        if (!meanEntry!.Shape.SequenceEqual([(long)latentSize]) || !scaleEntry!.Shape.SequenceEqual([(long)latentSize, latentSize]))
            throw Bad($"has a code distribution of the wrong shape for its {latentSize}-value codes");
        if (meanEntry.DType is not ("F64" or "F32") || scaleEntry.DType is not ("F64" or "F32"))
            throw Bad("has a code distribution that is not stored as float32 or float64");
        double[] Read(SafeTensorEntry entry)
        {
            using var stored = SafeTensorsFile.ReadTensor(header, stream, entry);
            using var asDouble = stored.to(ScalarType.Float64);
            return asDouble.data<double>().ToArray();
        }
        double[] mean = Read(meanEntry), scale = Read(scaleEntry!);
        return CodeDistribution.Problem(mean, scale) is string problem
            ? throw Bad($"has a code distribution that {problem}")
            : new CodeDistribution(mean, scale);
    }
}

/// <summary>A network loaded from a file, with the file's metadata (training facts) and, when the file
/// has one, the distribution fitted to its codes.</summary>
public sealed class LoadedModel(string path, IntrospectiveAdversarialNetwork network, IReadOnlyDictionary<string, string> metadata, Device device,
                                CodeDistribution? codes = null, bool halfPrecision = false) : IDisposable
{
    public string Path { get; } = path;
    /// <summary>Where the network's weights live (inputs go there too).</summary>
    public Device Device { get; } = device;
    public IntrospectiveAdversarialNetwork Network { get; } = network;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;
    public IanConfig Config => Network.Config;
    /// <summary>The Gaussian fitted to the codes of real photos, or null (the file has none).</summary>
    public CodeDistribution? Codes { get; } = codes;
    /// <summary>Whether the file stores its weights in float16 (a copy written from it should too).</summary>
    public bool HalfPrecision { get; } = halfPrecision;

    /// <summary>The metadata a copy of this model carries over: everything but the format and the
    /// config, which <see cref="ModelFile.Save"/> writes itself.</summary>
    public Dictionary<string, string> Facts() =>
        Metadata.Where(kv => kv.Key is not ("format" or "format_version" or ModelFile.ConfigKey)).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary><paramref name="count"/> codes to decode as samples: from <see cref="Codes"/> when the file
    /// has it and <paramref name="standard"/> is false, else from the paper's N(0, I).</summary>
    public Tensor SampleCodes(long count, Generator generator, bool standard = false) =>
        Codes is not null && !standard ? Codes.Sample(count, generator, Device)
        : CodeDistribution.SampleStandard(count, Config.LatentSize, generator, Device);

    public void Dispose() => Network.Dispose();
}
