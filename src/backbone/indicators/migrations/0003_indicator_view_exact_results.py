from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_result_complete"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="indicator",
            options={
                "ordering": ["name"],
                "permissions": [
                    ("compute_indicators", "Can compute indicators from the warehouse"),
                    ("edit_indicators", "Can create and change indicator definitions"),
                    ("view_exact_results", "Can see exact indicator values, small counts included"),
                ],
            },
        ),
    ]
