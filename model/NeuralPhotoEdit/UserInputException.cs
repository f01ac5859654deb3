namespace NeuralPhotoEdit;

/// <summary>Input that can't be used (an image, strokes, a region, a setting); the message says what
/// is wrong and what to do. Front ends show it as is.</summary>
public sealed class UserInputException(string message) : Exception(message);
