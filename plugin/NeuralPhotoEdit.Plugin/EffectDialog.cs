using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.ModelFiles;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;

namespace NeuralPhotoEdit.Plugin;

/// <summary>The effect's dialog: its settings, how Paint.NET shows them, and the window's title and help.</summary>
public sealed partial class NeuralPhotoEditEffect
{
    /// <summary>What the window's help button shows.</summary>
    internal const string HelpText =
        "Neural Photo Edit changes a photo where you paint, and lets the rest of the photo follow naturally.\n\n" +
        "1. Add a layer above the photo (Layers > Add New Layer) and paint rough strokes on it with the colour you want there: " +
        "a sky blue, a wall darker, a shirt red. Opacity is strength; you can hide the layer afterwards.\n" +
        "2. Select the photo layer and open Effects > Photo > Neural Photo Edit.\n" +
        "3. Move \"Latent step size\" until the change is as strong as you like; \"How far the photo follows\" lets " +
        "the scene take on the change (0 keeps it near the strokes).\n\n" +
        "Select an area first to keep the edit inside it. \"Steps\" follows the strokes more closely; " +
        "\"Mask softness\" blends the edge more softly; \"Blend\" and \"Where the change goes\" choose how the model's " +
        "change reaches the photo; \"Mode\" shows what the model sees in the area instead. Ctrl+Z undoes the edit.";

    protected override PropertyCollection OnCreatePropertyCollection()
    {
        var models = ModelCatalog.Installed().Select(m => (object)m).DefaultIfEmpty(DefaultModel.FileName).ToArray();
        return new PropertyCollection(new Property[]
        {
            new DoubleProperty(Names.StepSize, EditSettings.DefaultStepSize, 0, EditSettings.MaxStepSize),
            new DoubleProperty(Names.Context, EditSettings.DefaultContext, 0, 1),
            new Int32Property(Names.Steps, EditSettings.DefaultSteps, 0, EditSettings.MaxSteps),
            new StaticListChoiceProperty(Names.StrokesLayer, StrokesLayers.Choices(Environment.Document.Layers), 0),
            new DoubleProperty(Names.Sigma, EditSettings.DefaultSigma, 0, EditSettings.MaxSigma),
            StaticListChoiceProperty.CreateForEnum<BlendMode>(Names.Blend, BlendMode.Guided),
            StaticListChoiceProperty.CreateForEnum<MaskMode>(Names.Mask, MaskMode.EdgeAware),
            new DoubleProperty(Names.ColourMatch, EditSettings.DefaultColourMatch, 0, 1),
            StaticListChoiceProperty.CreateForEnum<PluginMode>(Names.Mode, PluginMode.EditWithStrokes),
            new Int32Property(Names.Seed, 0, 0, MaxSeed),
            new StaticListChoiceProperty(Names.Model, models, 0),
        });
    }

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        // Control types first: what a control can show (a reset button, slider steps) depends on it.
        ui.SetPropertyControlType(Names.StrokesLayer, PropertyControlType.DropDown);
        ui.SetPropertyControlType(Names.Blend, PropertyControlType.RadioButton);
        ui.SetPropertyControlType(Names.Mask, PropertyControlType.RadioButton);
        ui.SetPropertyControlType(Names.Mode, PropertyControlType.RadioButton);
        ui.SetPropertyControlType(Names.Seed, PropertyControlType.IncrementButton);
        ui.SetPropertyControlValue(Names.Seed, ControlInfoPropertyNames.ButtonText, "Reseed");

        void Describe(Names name, string display, string description)
        {
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.DisplayName, display);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.Description, description);
        }
        void Slider(Names name, string display, string description)
        {
            Describe(name, display, description);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.ShowResetButton, true);
        }
        void FineSlider(Names name, string display, string description, double smallChange, double largeChange)
        {
            Slider(name, display, description);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.SliderSmallChange, smallChange);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.SliderLargeChange, largeChange);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.UpDownIncrement, smallChange);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.DecimalPlaces, 2);
        }
        void Choices<T>(Names name, params (T Value, string Display)[] choices) where T : notnull
        {
            var control = ui.FindControlForPropertyName(name);
            foreach (var (value, display) in choices) control.SetValueDisplayName(value, display);
        }

        FineSlider(Names.StepSize, "Latent step size", "How far each step moves the model's code toward your strokes: 0 changes nothing, 0.5 is a " +
            "good start, 1 and above make bold changes.", 0.01, 0.1);
        FineSlider(Names.Context, "How far the photo follows",
            "0 changes only what is around your strokes; 1 lets the whole photo follow the model's change, as a scene would " +
            "(paint a sky orange and the land takes on its warm light). Small touches stay local either way.", 0.05, 0.25);
        Slider(Names.Steps, "Steps", "Number of latent steps; more steps follow the strokes more closely.");
        Describe(Names.StrokesLayer, "Strokes layer", "Paint rough colour strokes on a transparent layer and pick it here (colour = target, " +
            "opacity = strength; the layer's opacity counts too). The layer may be hidden: hide it to see the result under it. Select an area to " +
            "keep the edit inside it. Undo with Ctrl+Z.");
        Slider(Names.Sigma, "Mask softness", "Blur of the change mask, in model pixels: higher blends the edit in more softly.");
        Describe(Names.Blend, "Blend", "How the model's change reaches the photo.");
        Choices(Names.Blend,
            (BlendMode.Guided, "Keep the photo's detail (colour transform along its edges)"),
            (BlendMode.Detail, "Add the model's change"),
            (BlendMode.Paper, "Paste the model's picture (the paper's blend)"));
        Describe(Names.Mask, "Where the change goes", "Whether the change follows the photo's edges or only the model's own mask.");
        Choices(Names.Mask,
            (MaskMode.EdgeAware, "Follow the strokes, stop at the photo's edges"),
            (MaskMode.Paper, "Wherever the model changed (the paper's mask)"));
        Slider(Names.ColourMatch, "Match stroke colour", "How much of the colour the model could not reach is added as a smooth colour shift (with " +
            "\"Keep the photo's detail\"; 0 = the model's change alone).");
        Describe(Names.Mode, "Mode", "Edit with your strokes, or look at what the model makes of the area.");
        Choices(Names.Mode,
            (PluginMode.EditWithStrokes, "Edit with strokes"),
            (PluginMode.ReconstructOnly, "Show the model's reconstruction"),
            (PluginMode.RandomSample, "Show a random sample (Reseed for another)"));
        Describe(Names.Seed, "Sample", "Which random sample \"Show a random sample\" draws.");
        Describe(Names.Model, "Model", "The model file (installed beside the plugin, in its models folder).");
        return ui;
    }

    protected override void OnCustomizeConfigUIWindowProperties(PropertyCollection props)
    {
        props[ControlInfoPropertyNames.WindowTitle].Value = DisplayName;
        props[ControlInfoPropertyNames.WindowHelpContentType].Value = WindowHelpContentType.PlainText;
        props[ControlInfoPropertyNames.WindowHelpContent].Value = HelpText;
        base.OnCustomizeConfigUIWindowProperties(props);
    }
}
