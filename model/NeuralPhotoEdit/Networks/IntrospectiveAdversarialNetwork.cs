using NeuralPhotoEdit.Networks.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// The IAN: a generator G, and a discriminator whose convolutional trunk also carries the encoder
/// head. Parameter names (trunk.*, encoder.*, discriminator.*, decoder.*) are the tensor names in
/// model files.
/// </summary>
public sealed class IntrospectiveAdversarialNetwork : nn.Module
{
    readonly DiscriminatorTrunk trunk;
    readonly EncoderHead encoder;
    readonly DiscriminatorHead discriminator;
    readonly Decoder decoder;
    /// <summary>The decoder built for editing (<see cref="PrepareForInference"/>), or null.</summary>
    InferenceDecoder? _inferenceDecoder;

    public IntrospectiveAdversarialNetwork(IanConfig config) : base("IAN")
    {
        config.Validate();
        Config = config;
        // Initialisation makes temporary tensors (random draws, scaled copies). The scope keeps each
        // referenced until the native call reading it returns — otherwise a collection on another
        // thread may finalise one mid-call (a native crash) — and frees them all at the end.
        using var scope = NewDisposeScope();
        trunk = new DiscriminatorTrunk(config);
        encoder = new EncoderHead(trunk.OutputChannels * 16, config);
        discriminator = new DiscriminatorHead(trunk.OutputChannels, config);
        decoder = new Decoder(config);
        RegisterComponents();
        InitialiseWeights();
        foreach (var parameter in parameters()) parameter.DetachFromDisposeScope();
        foreach (var buffer in buffers()) buffer.DetachFromDisposeScope();
    }

    public IanConfig Config { get; }
    public DiscriminatorTrunk Trunk => trunk;
    public EncoderHead Encoder => encoder;
    public DiscriminatorHead DiscriminatorHead => discriminator;
    public Decoder Decoder => decoder;

    /// <summary>Parameters the discriminator's update owns: the shared trunk and the classifier.</summary>
    public IEnumerable<Parameter> DiscriminatorParameters() => trunk.parameters().Concat(discriminator.parameters());

    /// <summary>Parameters the generator/encoder update owns: the decoder and the encoder head.</summary>
    public IEnumerable<Parameter> GeneratorEncoderParameters() => decoder.parameters().Concat(encoder.parameters());

    /// <summary>μ and log σ of q(z|x). For editing, z = μ.</summary>
    public (Tensor Mean, Tensor LogSigma) Encode(Tensor images) => encoder.forward(trunk.forward(images));

    /// <summary>G(z): by the inference decoder once prepared (in evaluation mode), else by the decoder.</summary>
    public Tensor Decode(Tensor z) => _inferenceDecoder is not null && !training ? _inferenceDecoder.Decode(z) : decoder.forward(z);

    public Tensor Discriminate(Tensor images) => discriminator.forward(trunk.forward(images));

    /// <summary>
    /// Evaluation mode, decoding by an <see cref="InferenceDecoder"/> built once from the decoder's
    /// weights (normalisations folded in, the fastest kernels for a batch of one): what a loaded model
    /// edits with. Call after the weights are final and on their device. Values equal the decoder's own
    /// in evaluation mode to float rounding (tested).
    /// </summary>
    public void PrepareForInference()
    {
        eval();
        DropInferenceDecoder();
        _inferenceDecoder = new InferenceDecoder(decoder);
    }

    /// <summary>Back to training drops the inference decoder (its weights would go stale).</summary>
    public override void train(bool on = true)
    {
        if (on) DropInferenceDecoder();
        base.train(on);
    }

    /// <summary>The inference decoder's tensors are its own, not registered parameters: freed with the network.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) DropInferenceDecoder();
        base.Dispose(disposing);
    }

    void DropInferenceDecoder()
    {
        _inferenceDecoder?.Dispose();
        _inferenceDecoder = null;
    }

    // The paper's N(0, 0.02) for convolutions and dense layers, BN scale N(1, 0.02).
    // MDC weights keep their own He-style init (see MdcConv2d).
    void InitialiseWeights()
    {
        using var _ = torch.no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.normal_(conv.weight, 0, 0.02);
                    if (conv.bias is not null) nn.init.zeros_(conv.bias);
                    break;
                case TransposedConvolution deconv:
                    nn.init.normal_(deconv.Weight, 0, 0.02);
                    break;
                case Linear linear:
                    nn.init.normal_(linear.weight, 0, 0.02);
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
                case BatchNormalization norm:
                    nn.init.normal_(norm.weight, 1, 0.02);
                    nn.init.zeros_(norm.bias);
                    break;
            }
        }
        encoder.InitialiseNarrowPosterior();
    }
}
