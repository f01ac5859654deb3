using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace NeuralPhotoEdit.Plugin.Tests;

/// <summary>
/// The plugin is built against stand-ins for Paint.NET's assemblies. This test reads, from the built plugin's
/// metadata, every Paint.NET type and member it uses — types, calls, property accesses, constructors, enum
/// values, overrides, attribute arguments — and checks each against Paint.NET 5.1.9's API reference
/// (<c>PaintDotNetApi/paintdotnet-api.txt</c>, made from paintdotnet/apidocs by the script beside it), so a
/// stand-in can never accept what Paint.NET lacks.
/// </summary>
public class ApiConformanceTests
{
    static readonly string PluginPath = typeof(NeuralPhotoEditEffect).Assembly.Location;

    [Fact]
    public void EveryPaintDotNetTypeAndMemberThePluginUsesIsInPaintDotNets51Api()
    {
        var missing = Uses(PluginPath).Where(use => !InApi(use)).ToList();
        Assert.True(missing.Count == 0, "not in Paint.NET 5.1's API:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void TheCheckSeesWhatThePluginUses()
    {
        var uses = Uses(PluginPath);
        foreach (var expected in new[]
        {
            "PaintDotNet.Effects.PropertyBasedBitmapEffect.#ctor(" +
                "System.String,System.Drawing.Image,System.String,PaintDotNet.Effects.BitmapEffectOptions)",
            "PaintDotNet.Effects.IEffectLayerInfo.GetBitmap(PaintDotNet.Imaging.PixelFormat@)",
            "PaintDotNet.Effects.IEffectSelectionInfo.RenderScans",
            "PaintDotNet.AppModel.IExceptionDialogService.ShowErrorDialog(System.Windows.Forms.IWin32Window,System.String,System.String)",
            "PaintDotNet.IndirectUI.ControlInfoPropertyNames.WindowHelpContent = 33",
            "PaintDotNet.Effects.BitmapEffect.OnRender(…)",
            "PaintDotNet.PluginSupportInfoAttribute`1.#ctor",
        })
            Assert.Contains(expected, uses);
        // And the Windows Forms assembly named is the one .NET 9 ships (its identity, so it binds on Windows).
        using var pe = new PEReader(File.OpenRead(PluginPath));
        var reader = pe.GetMetadataReader();
        var forms = reader.AssemblyReferences.Select(reader.GetAssemblyReference).Single(a => reader.GetString(a.Name) == "System.Windows.Forms");
        Assert.Equal(new Version(9, 0, 0, 0), forms.Version);
        Assert.Equal("b77a5c561934e089", Convert.ToHexString(reader.GetBlobBytes(forms.PublicKeyOrToken)).ToLowerInvariant());
    }

    /// <summary>Whether the API has a use; an override, named "Type.Method(…)", matches any overload of its name.</summary>
    static bool InApi(string use) => use.EndsWith("(…)")
        ? Api.Contains(use[..^3]) || Api.Any(uid => uid.StartsWith(use[..^2], StringComparison.Ordinal))
        : Api.Contains(use);

    static readonly HashSet<string> Api = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "PaintDotNetApi", "paintdotnet-api.txt"))
        .Where(line => !line.StartsWith('#')).ToHashSet(StringComparer.Ordinal);

    /// <summary>The Paint.NET API an assembly uses, named as the API reference names it (docfx UIDs).</summary>
    internal static SortedSet<string> Uses(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var reader = pe.GetMetadataReader();
        var names = new DocfxNames(reader);
        var uses = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var handle in reader.TypeReferences)
            if (names.IsPaintDotNet(handle)) uses.Add(names.Of(handle));

        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            if (!names.IsPaintDotNet(member.Parent)) continue;
            string type = names.Of(member.Parent), name = reader.GetString(member.Name);
            // A record's compiler-made clone (the `with` expression): records have it, docfx doesn't list it.
            if (name == "<Clone>$") continue;
            if (member.GetKind() == MemberReferenceKind.Field) { uses.Add($"{type}.{name}"); continue; }
            var signature = member.DecodeMethodSignature(names, null);
            // Property accessors are documented as the property (an indexer with its parameters).
            if (name.StartsWith("get_") || name.StartsWith("set_"))
            {
                var indices = name.StartsWith("get_") ? signature.ParameterTypes : signature.ParameterTypes[..^1];
                uses.Add(DocfxNames.Member(type, name[4..], 0, indices));
            }
            else
                uses.Add(DocfxNames.Member(type, name == ".ctor" ? "#ctor" : name, signature.GenericParameterCount, signature.ParameterTypes));
        }

        // Enum values are compiled in as numbers; the constants the plugin's own code names come from its
        // references' enums, read here from the stand-ins (the values the plugin was built with).
        foreach (var enumType in EnumsUsed(uses))
            foreach (var field in enumType.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
                uses.Add($"{enumType.FullName!.Replace('+', '.')}.{field.Name} = {Convert.ToInt64(field.GetRawConstantValue())}");

        // Overrides: each must override a member of a Paint.NET base type.
        var plugin = System.Reflection.Assembly.LoadFrom(assemblyPath);
        foreach (var type in plugin.GetTypes())
            foreach (var method in type.GetMethods(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public
                                                   | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
            {
                var baseMethod = method.GetBaseDefinition();
                if (baseMethod == method || baseMethod.DeclaringType?.Namespace?.StartsWith("PaintDotNet") != true) continue;
                var declaring = baseMethod.DeclaringType!.IsGenericType ? baseMethod.DeclaringType.GetGenericTypeDefinition()
                    : baseMethod.DeclaringType;
                uses.Add($"{declaring.FullName!.Replace('+', '.')}.{baseMethod.Name}(…)");
            }

        // Attribute arguments given by name (e.g. PluginSupportInfo's DisplayName).
        foreach (var attribute in plugin.GetTypes().SelectMany(t => t.CustomAttributes).Concat(plugin.CustomAttributes))
            foreach (var argument in attribute.NamedArguments)
                if (argument.MemberInfo.DeclaringType?.Namespace?.StartsWith("PaintDotNet") == true)
                    uses.Add($"{argument.MemberInfo.DeclaringType.FullName}.{argument.MemberName}");
        return uses;
    }

    /// <summary>The stand-ins' enum types among the types used.</summary>
    static IEnumerable<Type> EnumsUsed(IEnumerable<string> uses)
    {
        var standIns = new[] { typeof(PaintDotNet.Effects.BitmapEffect), typeof(PaintDotNet.IndirectUI.ControlInfo),
            typeof(PaintDotNet.PropertySystem.Property),
                               typeof(PaintDotNet.Imaging.PixelFormats), typeof(PaintDotNet.Rendering.RectInt32), typeof(PaintDotNet.IInternalImpl) }
            .Select(t => t.Assembly).Distinct().SelectMany(a => a.GetTypes()).Where(t => t.IsEnum && t.IsPublic)
            .ToDictionary(t => t.FullName!);
        return uses.Where(standIns.ContainsKey).Select(u => standIns[u]).ToList();
    }

    /// <summary>Names types the way docfx's UIDs do: full names, generic arguments in braces, by-ref as @.</summary>
    sealed class DocfxNames(MetadataReader reader) : ISignatureTypeProvider<string, object?>
    {
        public bool IsPaintDotNet(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeReference => Of(handle).StartsWith("PaintDotNet"),
            HandleKind.TypeSpecification => Of(handle).StartsWith("PaintDotNet"),
            _ => false,
        };

        /// <summary>A type reference's name, or a generic instantiation's generic type (as in member UIDs: BitmapEffect`1).</summary>
        public string Of(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeReference => GetTypeFromReference(reader, (TypeReferenceHandle)handle, 0),
            HandleKind.TypeSpecification => GenericTypeOf(reader.GetTypeSpecification((TypeSpecificationHandle)handle)),
            _ => "",
        };

        string GenericTypeOf(TypeSpecification spec)
        {
            var blob = reader.GetBlobReader(spec.Signature);
            if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance) return spec.DecodeSignature(this, null);
            blob.ReadSignatureTypeCode();   // class or value type
            var generic = blob.ReadTypeHandle();
            return generic.Kind == HandleKind.TypeReference ? GetTypeFromReference(reader, (TypeReferenceHandle)generic, 0) : "";
        }

        public static string Member(string type, string name, int genericParameters, ImmutableArray<string> parameters)
        {
            string generic = genericParameters > 0 ? "``" + genericParameters : "";
            string parameterList = parameters.IsEmpty ? "" : "(" + string.Join(",", parameters) + ")";
            return $"{type}.{name}{generic}{parameterList}";
        }

        public string GetTypeFromReference(MetadataReader r, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = r.GetTypeReference(handle);
            string name = r.GetString(type.Name);
            return type.ResolutionScope.Kind == HandleKind.TypeReference
                ? GetTypeFromReference(r, (TypeReferenceHandle)type.ResolutionScope, 0) + "." + name
                : r.GetString(type.Namespace) + "." + name;
        }

        public string GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = r.GetTypeDefinition(handle);
            return r.GetString(type.Namespace) + "." + r.GetString(type.Name);
        }

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
            genericType[..genericType.LastIndexOf('`')] + "{" + string.Join(",", typeArguments) + "}";

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => "System." + typeCode switch
        {
            PrimitiveTypeCode.Boolean => "Boolean", PrimitiveTypeCode.Byte => "Byte", PrimitiveTypeCode.Char => "Char",
            PrimitiveTypeCode.Double => "Double", PrimitiveTypeCode.Int16 => "Int16", PrimitiveTypeCode.Int32 => "Int32",
            PrimitiveTypeCode.Int64 => "Int64", PrimitiveTypeCode.IntPtr => "IntPtr", PrimitiveTypeCode.Object => "Object",
            PrimitiveTypeCode.SByte => "SByte", PrimitiveTypeCode.Single => "Single", PrimitiveTypeCode.String => "String",
            PrimitiveTypeCode.TypedReference => "TypedReference", PrimitiveTypeCode.UInt16 => "UInt16", PrimitiveTypeCode.UInt32 => "UInt32",
            PrimitiveTypeCode.UInt64 => "UInt64", PrimitiveTypeCode.UIntPtr => "UIntPtr", PrimitiveTypeCode.Void => "Void",
            _ => typeCode.ToString(),
        };

        public string GetByReferenceType(string elementType) => elementType + "@";
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetGenericTypeParameter(object? context, int index) => "`" + index;
        public string GetGenericMethodParameter(object? context, int index) => "``" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "method";
        public string GetTypeFromSpecification(MetadataReader r, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            r.GetTypeSpecification(handle).DecodeSignature(this, context);
    }
}
