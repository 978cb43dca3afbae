from django.core.management.base import BaseCommand, CommandError

from amparo.audit.verification import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain: detects removed, inserted or altered entries."

    def handle(self, *args: object, **options: object) -> None:
        checked, problems = verify_chain()
        for problem in problems:
            self.stderr.write(f"entry {problem.sequence}: {problem.message}")
        if problems:
            raise CommandError(f"audit log is NOT intact: {len(problems)} problem(s) in {checked} entries")
        self.stdout.write(self.style.SUCCESS(f"audit log intact: {checked} entries verified"))
