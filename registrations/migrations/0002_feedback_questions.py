import django.db.models.deletion
import eventsite.ids
from django.db import migrations, models


def give_each_student_a_calendar_token(apps, schema_editor):
    Student = apps.get_model("registrations", "Student")
    students = list(Student.objects.filter(calendar_token__isnull=True).only("pk"))
    for student in students:
        student.calendar_token = eventsite.ids.new_calendar_token()
    Student.objects.bulk_update(students, ["calendar_token"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
        ('registrations', '0001_initial'),
    ]

    operations = [
        # A unique column with a random default: add it nullable, give every
        # existing student their own token, then make it required and unique.
        migrations.AddField(
            model_name='student',
            name='calendar_token',
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(give_each_student_a_calendar_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='student',
            name='calendar_token',
            field=models.CharField(default=eventsite.ids.new_calendar_token, editable=False, help_text="Secret part of the student's calendar feed URL; rotate it to revoke old links.", max_length=32, unique=True),
        ),
        migrations.CreateModel(
            name='FeedbackQuestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('kind', models.CharField(choices=[('rating', 'Rating (1 to 5)'), ('text', 'Free text')], default='rating', max_length=8)),
                ('prompt', models.CharField(max_length=300)),
                ('required', models.BooleanField(default=False)),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback_questions', to='events.event')),
            ],
            options={
                'ordering': ['event', 'position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='FeedbackAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rating', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('text', models.TextField(blank=True, max_length=2000)),
                ('feedback', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='registrations.feedback')),
                ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='registrations.feedbackquestion')),
            ],
            options={
                'ordering': ['feedback', 'question__position', 'question_id'],
            },
        ),
        migrations.AddConstraint(
            model_name='feedbackquestion',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['rating', 'text'])), name='feedback_question_kind_known'),
        ),
        migrations.AddConstraint(
            model_name='feedbackanswer',
            constraint=models.UniqueConstraint(fields=('feedback', 'question'), name='feedback_answer_once_per_question'),
        ),
        migrations.AddConstraint(
            model_name='feedbackanswer',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('rating__gte', 1), ('rating__isnull', False), ('rating__lte', 5), ('text', '')), models.Q(('rating__isnull', True), models.Q(('text', ''), _negated=True)), _connector='OR'), name='feedback_answer_rating_or_text'),
        ),
    ]
